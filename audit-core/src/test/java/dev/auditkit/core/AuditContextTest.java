package dev.auditkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AuditContextTest {
  private final ExecutorService pool = Executors.newFixedThreadPool(1);

  @AfterEach
  void shutdown() {
    pool.shutdownNow();
    assertThat(AuditContext.current()).as("no context leaks out of a test").isEmpty();
  }

  private static AuditContext ctx(String tenant, String user) {
    return AuditContext.builder().tenantId(tenant).actor(user == null ? null : Actor.user(user)).build();
  }

  @Test
  void current_isEmptyOutsideAnyContext() {
    assertThat(AuditContext.current()).isEmpty();
  }

  @Test
  void runWithAuditContext_makesContextCurrentAndRemovesItAfterwards() {
    AuditContext c = ctx("org-1", "u-1");
    AtomicReference<AuditContext> seen = new AtomicReference<>();
    AuditContext.runWithAuditContext(c, () -> seen.set(AuditContext.current().orElseThrow()));
    assertThat(seen.get()).isEqualTo(c);
    assertThat(AuditContext.current()).isEmpty();
  }

  @Test
  void nestedContexts_mergeFieldByField_innerWins() {
    AuditContext outer = AuditContext.builder()
        .tenantId("org-1").actor(Actor.user("u-1")).ipAddress("10.0.0.1").requestId("r-1")
        .metadata("a", 1).metadata("b", 2).build();
    AuditContext inner = AuditContext.builder()
        .actor(Actor.service("billing")).requestId("r-2").metadata("b", 20).metadata("c", 30).build();
    AtomicReference<AuditContext> seen = new AtomicReference<>();
    AuditContext.runWithAuditContext(outer, () ->
        AuditContext.runWithAuditContext(inner, () -> seen.set(AuditContext.current().orElseThrow())));
    AuditContext m = seen.get();
    assertThat(m.tenantId()).isEqualTo("org-1");
    assertThat(m.actor()).isEqualTo(Actor.service("billing"));
    assertThat(m.ipAddress()).isEqualTo("10.0.0.1");
    assertThat(m.requestId()).isEqualTo("r-2");
    assertThat(m.metadata()).containsEntry("a", 1).containsEntry("b", 20).containsEntry("c", 30);
  }

  @Test
  void nestedContext_restoresOuterAfterwards() {
    AuditContext outer = ctx("org-1", "u-1");
    AtomicReference<AuditContext> after = new AtomicReference<>();
    AuditContext.runWithAuditContext(outer, () -> {
      AuditContext.runWithAuditContext(ctx("org-2", null), () -> { });
      after.set(AuditContext.current().orElseThrow());
    });
    assertThat(after.get()).isEqualTo(outer);
  }

  @Test
  void outerContextIsRestored_whenBodyThrows() {
    AuditContext outer = ctx("org-1", "u-1");
    AtomicReference<AuditContext> after = new AtomicReference<>();
    AuditContext.runWithAuditContext(outer, () -> {
      assertThatThrownBy(() -> AuditContext.runWithAuditContext(ctx("org-2", "u-2"), (Runnable) () -> {
        throw new IllegalStateException("boom");
      })).hasMessage("boom");
      after.set(AuditContext.current().orElseThrow());
    });
    assertThat(after.get()).isEqualTo(outer);
    assertThat(AuditContext.current()).isEmpty();
  }

  @Test
  void callableVariant_returnsValue_andPassesCheckedExceptionsUnchanged() throws Exception {
    String v = AuditContext.runWithAuditContext(ctx("org-1", "u-1"),
        () -> AuditContext.current().orElseThrow().tenantId());
    assertThat(v).isEqualTo("org-1");
    assertThatThrownBy(() -> AuditContext.runWithAuditContext(ctx("org-1", "u-1"), () -> {
      throw new IOException("disk");
    })).isInstanceOf(IOException.class).hasMessage("disk");
    assertThat(AuditContext.current()).isEmpty();
  }

  /** No {@code throws} on this method: a body without checked exceptions declares none (this compiles). */
  @Test
  void valueBody_withoutCheckedExceptions_needsNoTry() {
    AuditLog audit = AuditLog.builder().store(new InMemoryAuditStore()).build();
    java.util.UUID id = AuditContext.runWithAuditContext(ctx("org-4", "u-4"), () -> audit.viewed("job", "j-1"));
    assertThat(id).isNotNull();
    String tenant = AuditContext.runWithAuditContext(ctx("org-4", null), () -> AuditContext.current().orElseThrow()
        .tenantId());
    assertThat(tenant).isEqualTo("org-4");
    assertThatThrownBy(() -> AuditContext.runWithAuditContext(ctx("org-4", null), () -> {
      throw new IllegalStateException("unchecked");
    })).isInstanceOf(IllegalStateException.class).hasMessage("unchecked");
    assertThat(AuditContext.current()).isEmpty();
  }

  @Test
  void aCallable_isPassedAsAMethodReference_andItsExceptionPassedOn() {
    java.util.concurrent.Callable<String> task = () -> {
      throw new java.util.concurrent.TimeoutException("slow");
    };
    assertThatThrownBy(() -> AuditContext.runWithAuditContext(ctx("org-5", null), task::call))
        .isInstanceOf(java.util.concurrent.TimeoutException.class).hasMessage("slow");
    assertThat(AuditContext.current()).isEmpty();
  }

  @Test
  void supplyVariant_returnsValue() {
    assertThat(AuditContext.supplyWithAuditContext(ctx("org-9", null),
        () -> AuditContext.current().map(AuditContext::tenantId).orElse("none"))).isEqualTo("org-9");
  }

  @Test
  void wrapExecutor_carriesSubmittersContextToPoolThread() throws Exception {
    var executor = AuditContext.wrap(pool);
    CompletableFuture<String> tenant = new CompletableFuture<>();
    AuditContext.runWithAuditContext(ctx("org-7", "u-7"), () ->
        executor.execute(() -> tenant.complete(AuditContext.current().map(AuditContext::tenantId).orElse("none"))));
    assertThat(tenant.get(5, TimeUnit.SECONDS)).isEqualTo("org-7");
  }

  @Test
  void wrapCallable_capturesContextAtWrapTime() throws Exception {
    java.util.concurrent.Callable<String> task = AuditContext.supplyWithAuditContext(ctx("org-3", null),
        () -> AuditContext.wrap(() -> AuditContext.current().map(AuditContext::tenantId).orElse("none")));
    assertThat(pool.submit(task).get(5, TimeUnit.SECONDS)).isEqualTo("org-3");
  }

  @Test
  void pooledThread_neverLeaksContextIntoNextTask() throws Exception {
    var executor = AuditContext.wrap(pool);
    List<String> seen = new CopyOnWriteArrayList<>();
    List<Long> threads = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(3);
    AuditContext.runWithAuditContext(ctx("org-A", "u-A"), () -> executor.execute(() -> {
      seen.add(AuditContext.current().map(AuditContext::tenantId).orElse("none"));
      done.countDown();
    }));
    // a task submitted outside any context must see none, though the same thread ran org-A before
    executor.execute(() -> {
      seen.add(AuditContext.current().map(AuditContext::tenantId).orElse("none"));
      done.countDown();
    });
    // a task that throws must not leave its context behind either (submit keeps the thread alive)
    Future<?> failed = AuditContext.supplyWithAuditContext(ctx("org-B", "u-B"), () -> pool.submit(AuditContext.wrap(() -> {
      threads.add(Thread.currentThread().getId());
      done.countDown();
      throw new IllegalStateException("task failed");
    })));
    assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(() -> failed.get(5, TimeUnit.SECONDS)).hasRootCauseMessage("task failed");
    Future<String> after = pool.submit(() -> {
      threads.add(Thread.currentThread().getId());
      return AuditContext.current().map(AuditContext::tenantId).orElse("none");
    });
    assertThat(seen).containsExactly("org-A", "none");
    assertThat(after.get(5, TimeUnit.SECONDS)).isEqualTo("none");
    assertThat(threads).hasSize(2).as("the same pooled thread ran both").containsOnly(threads.get(0));
  }

  @Test
  void wrappedTask_restoresThePoolThreadsOwnContext() {
    // a thread that already has a context (e.g. a caller-runs executor) gets it back
    Runnable wrapped = AuditContext.supplyWithAuditContext(ctx("org-inner", null), () -> AuditContext.wrap(() -> {
      assertThat(AuditContext.current().orElseThrow().tenantId()).isEqualTo("org-inner");
    }));
    AtomicReference<String> after = new AtomicReference<>();
    AuditContext.runWithAuditContext(ctx("org-outer", null), () -> {
      wrapped.run();
      after.set(AuditContext.current().orElseThrow().tenantId());
    });
    assertThat(after.get()).isEqualTo("org-outer");
  }

  @Test
  void nullArguments_areRejected() {
    assertThatThrownBy(() -> AuditContext.runWithAuditContext(null, () -> { })).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> AuditContext.runWithAuditContext(ctx("a", null), (Runnable) null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> AuditContext.builder().metadata(" ", 1))
        .isInstanceOf(InvalidAuditEventException.class).hasMessageContaining("context.metadata");
  }
}
