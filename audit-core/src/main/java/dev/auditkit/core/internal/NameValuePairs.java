package dev.auditkit.core.internal;

import java.util.List;

/**
 * The shape of a name/value pair as HTTP logs keep headers, cookies and query parameters
 * ({@code {"name": "Authorization", "value": "..."}}, the HAR format): an object of at most
 * {@link #MAX_MEMBERS} members with a {@link #VALUE} and a text name under one of {@link #NAMES}.
 * The differ compares lists of them by name, and redaction redacts the value of a sensitive name.
 */
public final class NameValuePairs {
  /** Members that name the value, in the order they are looked for. */
  public static final List<String> NAMES = List.of("name", "key", "header");
  /** The member that holds the value. */
  public static final String VALUE = "value";
  /** More members than this and the object is a record of its own, not a pair. */
  public static final int MAX_MEMBERS = 8;

  private NameValuePairs() {}
}
