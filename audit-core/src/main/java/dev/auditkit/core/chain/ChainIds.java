package dev.auditkit.core.chain;

import dev.auditkit.core.AuditEvent;
import java.util.Objects;

/**
 * Names of hash chains: {@code t:<tenantId>} for each tenant, {@link #GLOBAL} for events without
 * a tenant. The prefix keeps a tenant named {@code global} apart from the global chain.
 */
public final class ChainIds {
  /** The chain of events that have no tenant. */
  public static final String GLOBAL = "global";

  private static final String TENANT_PREFIX = "t:";

  private ChainIds() {}

  /** The chain of a tenant; null or empty gives {@link #GLOBAL}. */
  public static String forTenant(String tenantId) {
    return tenantId == null || tenantId.isEmpty() ? GLOBAL : TENANT_PREFIX + tenantId;
  }

  /** The chain an event belongs to. */
  public static String of(AuditEvent event) {
    return forTenant(Objects.requireNonNull(event, "event").tenantId());
  }

  /** The tenant of a chain id, or null for {@link #GLOBAL}. */
  public static String tenantOf(String chainId) {
    Objects.requireNonNull(chainId, "chainId");
    if (chainId.equals(GLOBAL)) {
      return null;
    }
    if (!chainId.startsWith(TENANT_PREFIX) || chainId.length() == TENANT_PREFIX.length()) {
      throw new IllegalArgumentException("not a chain id (expected \"global\" or \"t:<tenant>\"): " + chainId);
    }
    return chainId.substring(TENANT_PREFIX.length());
  }

  /** Checks that {@code chainId} has the form of a chain id and returns it. */
  public static String require(String chainId) {
    tenantOf(chainId);
    return chainId;
  }
}
