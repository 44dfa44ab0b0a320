package dev.auditkit.core;

import java.util.Objects;

/**
 * Where a request came from: client IP, user agent, HTTP method and path, request id. Every field
 * is optional. Values are sanitised when the event is built: see {@link AuditLimits}.
 */
public final class RequestInfo {
  private static final RequestInfo EMPTY = new RequestInfo(null, null, null, null, null);

  private final String ip;
  private final String userAgent;
  private final String method;
  private final String path;
  private final String requestId;

  private RequestInfo(String ip, String userAgent, String method, String path, String requestId) {
    this.ip = ip;
    this.userAgent = userAgent;
    this.method = method;
    this.path = path;
    this.requestId = requestId;
  }

  public static RequestInfo empty() {
    return EMPTY;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The client IP as a normalised IPv4 or IPv6 literal, or null. */
  public String ip() {
    return ip;
  }

  public String userAgent() {
    return userAgent;
  }

  public String method() {
    return method;
  }

  /** The request path (without query string unless the host included a redacted one), or null. */
  public String path() {
    return path;
  }

  public String requestId() {
    return requestId;
  }

  public boolean isEmpty() {
    return ip == null && userAgent == null && method == null && path == null && requestId == null;
  }

  public Builder toBuilder() {
    return new Builder().ip(ip).userAgent(userAgent).method(method).path(path).requestId(requestId);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RequestInfo r
        && Objects.equals(ip, r.ip)
        && Objects.equals(userAgent, r.userAgent)
        && Objects.equals(method, r.method)
        && Objects.equals(path, r.path)
        && Objects.equals(requestId, r.requestId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(ip, userAgent, method, path, requestId);
  }

  @Override
  public String toString() {
    return "RequestInfo{ip=" + ip + ", method=" + method + ", path=" + path + ", requestId=" + requestId + "}";
  }

  /** Builds a {@link RequestInfo}; every setter accepts null. */
  public static final class Builder {
    private String ip;
    private String userAgent;
    private String method;
    private String path;
    private String requestId;

    private Builder() {}

    public Builder ip(String ip) {
      this.ip = ip;
      return this;
    }

    public Builder userAgent(String userAgent) {
      this.userAgent = userAgent;
      return this;
    }

    public Builder method(String method) {
      this.method = method;
      return this;
    }

    public Builder path(String path) {
      this.path = path;
      return this;
    }

    public Builder requestId(String requestId) {
      this.requestId = requestId;
      return this;
    }

    public RequestInfo build() {
      if (ip == null && userAgent == null && method == null && path == null && requestId == null) {
        return EMPTY;
      }
      return new RequestInfo(ip, userAgent, method, path, requestId);
    }
  }
}
