package dev.auditkit.core;

/**
 * Length and size caps applied to every event before it is stored. A string over its cap is cut
 * and ends with {@link #TRUNCATION_MARKER} so that a reader sees it was cut; lengths count Unicode
 * code points, the way PostgreSQL counts characters. JSON values over their byte cap are replaced
 * by a marker object {@code {"_auditkit_oversize": true, "originalBytes": n, "sha256": "..."}}.
 *
 * <table>
 *   <caption>Which cap applies to which field (defaults)</caption>
 *   <tr><th>field</th><th>cap</th></tr>
 *   <tr><td>action</td><td>128, charset {@code [A-Za-z0-9][A-Za-z0-9_.:/-]*}; rejected, never cut</td></tr>
 *   <tr><td>tenantId, actor.id, resource.id, request.requestId, actor extra-id values</td><td>{@link #idLength()} = 256</td></tr>
 *   <tr><td>resource.type, actor.role, actor.org, fromState, toState, request.method,
 *       actor extra-id keys, source app/version/host</td><td>{@link #nameLength()} = 128</td></tr>
 *   <tr><td>actor.email</td><td>320</td></tr>
 *   <tr><td>resource.label, request.userAgent, changes[].path</td><td>{@link #textLength()} = 1024</td></tr>
 *   <tr><td>request.path</td><td>{@link #pathLength()} = 2048</td></tr>
 *   <tr><td>metadata (serialised UTF-8 JSON)</td><td>{@link #metadataBytes()} = 64 KiB</td></tr>
 *   <tr><td>oldValue, newValue, changes (each, serialised)</td><td>{@link #snapshotBytes()} = 256 KiB</td></tr>
 * </table>
 */
public final class AuditLimits {
  /** Appended to every string that was cut. */
  public static final String TRUNCATION_MARKER = "\u2026[truncated]";
  /** Maximum length of an action name. */
  public static final int ACTION_LENGTH = 128;
  /** Maximum length of an e-mail address (RFC 5321 path limit plus slack). */
  public static final int EMAIL_LENGTH = 320;

  private static final AuditLimits DEFAULTS = new Builder().build();
  private static final AuditLimits UNLIMITED = unlimitedLimits();

  private final int idLength;
  private final int nameLength;
  private final int textLength;
  private final int pathLength;
  private final int metadataBytes;
  private final int snapshotBytes;

  private AuditLimits(Builder b) {
    this.idLength = b.idLength;
    this.nameLength = b.nameLength;
    this.textLength = b.textLength;
    this.pathLength = b.pathLength;
    this.metadataBytes = b.metadataBytes;
    this.snapshotBytes = b.snapshotBytes;
  }

  public static AuditLimits defaults() {
    return DEFAULTS;
  }

  /**
   * No caps at all (control characters are still removed). For stores and readers that rebuild
   * events which were already capped when first built, so that reading never cuts anything.
   */
  public static AuditLimits unlimited() {
    return UNLIMITED;
  }

  private static AuditLimits unlimitedLimits() {
    Builder b = new Builder();
    b.idLength = Integer.MAX_VALUE;
    b.nameLength = Integer.MAX_VALUE;
    b.textLength = Integer.MAX_VALUE;
    b.pathLength = Integer.MAX_VALUE;
    b.metadataBytes = Integer.MAX_VALUE;
    b.snapshotBytes = Integer.MAX_VALUE;
    return new AuditLimits(b);
  }

  public static Builder builder() {
    return new Builder();
  }

  public int idLength() {
    return idLength;
  }

  public int nameLength() {
    return nameLength;
  }

  public int textLength() {
    return textLength;
  }

  public int pathLength() {
    return pathLength;
  }

  public int metadataBytes() {
    return metadataBytes;
  }

  public int snapshotBytes() {
    return snapshotBytes;
  }

  /** Builds {@link AuditLimits}; each setter rejects values too small to hold the marker. */
  public static final class Builder {
    private int idLength = 256;
    private int nameLength = 128;
    private int textLength = 1024;
    private int pathLength = 2048;
    private int metadataBytes = 64 * 1024;
    private int snapshotBytes = 256 * 1024;

    private Builder() {}

    public Builder idLength(int n) {
      this.idLength = atLeast("idLength", n, 32);
      return this;
    }

    public Builder nameLength(int n) {
      this.nameLength = atLeast("nameLength", n, 32);
      return this;
    }

    public Builder textLength(int n) {
      this.textLength = atLeast("textLength", n, 32);
      return this;
    }

    public Builder pathLength(int n) {
      this.pathLength = atLeast("pathLength", n, 32);
      return this;
    }

    public Builder metadataBytes(int n) {
      this.metadataBytes = atLeast("metadataBytes", n, 256);
      return this;
    }

    public Builder snapshotBytes(int n) {
      this.snapshotBytes = atLeast("snapshotBytes", n, 256);
      return this;
    }

    private static int atLeast(String name, int value, int min) {
      if (value < min) {
        throw new IllegalArgumentException(name + " must be at least " + min + ": " + value);
      }
      return value;
    }

    public AuditLimits build() {
      return new AuditLimits(this);
    }
  }
}
