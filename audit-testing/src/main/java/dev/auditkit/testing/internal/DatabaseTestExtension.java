package dev.auditkit.testing.internal;

import dev.auditkit.testing.DatabaseTest;
import dev.auditkit.testing.TestDatabase;
import dev.auditkit.testing.TestDialect;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.junit.platform.commons.support.AnnotationSupport;

/** Expands a {@link DatabaseTest} into one invocation per dialect, each with its own database. */
public final class DatabaseTestExtension implements TestTemplateInvocationContextProvider {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(DatabaseTestExtension.class);

  @Override
  public boolean supportsTestTemplate(ExtensionContext context) {
    return context.getTestMethod().map(m -> AnnotationSupport.isAnnotated(m, DatabaseTest.class)).orElse(false);
  }

  @Override
  public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
    DatabaseTest annotation = AnnotationSupport.findAnnotation(context.getRequiredTestMethod(), DatabaseTest.class)
        .orElseThrow();
    if (annotation.value().length == 0) {
      throw new IllegalArgumentException("@DatabaseTest on " + context.getRequiredTestMethod() + " names no dialect");
    }
    return Arrays.stream(annotation.value()).distinct().map(Invocation::new);
  }

  private record Invocation(TestDialect dialect) implements TestTemplateInvocationContext {
    @Override
    public String getDisplayName(int invocationIndex) {
      return "[" + dialect.displayName() + "]";
    }

    @Override
    public List<Extension> getAdditionalExtensions() {
      return List.of(new PerTest(dialect));
    }
  }

  /** Opens the database before each invocation (skipping or failing there) and resolves it. */
  private record PerTest(TestDialect dialect) implements BeforeEachCallback, ParameterResolver {
    @Override
    public void beforeEach(ExtensionContext context) {
      // opened outside the store, so that a skip (an aborted assumption) is reported as a skip
      TestDatabase db = TestDatabase.open(dialect);
      context.getStore(NAMESPACE).put(TestDatabase.class, db);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
      return parameterContext.getParameter().getType() == TestDatabase.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
      TestDatabase db = extensionContext.getStore(NAMESPACE).get(TestDatabase.class, TestDatabase.class);
      if (db == null) {
        throw new ParameterResolutionException("no TestDatabase was opened for " + dialect);
      }
      return db;
    }
  }
}
