package dev.auditkit.core;

import java.util.Objects;

/** Which application wrote an event: its name, version and host. Every field is optional. */
public final class SourceInfo {
  private static final SourceInfo EMPTY = new SourceInfo(null, null, null);

  private final String app;
  private final String version;
  private final String host;

  private SourceInfo(String app, String version, String host) {
    this.app = app;
    this.version = version;
    this.host = host;
  }

  public static SourceInfo of(String app, String version, String host) {
    if (app == null && version == null && host == null) {
      return EMPTY;
    }
    return new SourceInfo(app, version, host);
  }

  public static SourceInfo empty() {
    return EMPTY;
  }

  public String app() {
    return app;
  }

  public String version() {
    return version;
  }

  public String host() {
    return host;
  }

  public boolean isEmpty() {
    return app == null && version == null && host == null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SourceInfo s
        && Objects.equals(app, s.app)
        && Objects.equals(version, s.version)
        && Objects.equals(host, s.host);
  }

  @Override
  public int hashCode() {
    return Objects.hash(app, version, host);
  }

  @Override
  public String toString() {
    return "SourceInfo{" + app + " " + version + " @" + host + "}";
  }
}
