package dev.auditkit.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.auditkit.core.internal.CardNumbers;
import dev.auditkit.core.internal.Paths;
import dev.auditkit.core.internal.SensitiveKeys;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Removes secrets from events before they are stored, hashed or handed to any sink. Immutable;
 * each {@code with}-style method returns a new policy. {@link AuditLog} applies
 * {@link #defaults()} unless given another, to snapshots ({@code oldValue}/{@code newValue}), field
 * changes, metadata and the query string and fragment of the request path.
 *
 * <ul>
 *   <li><b>Sensitive keys</b> at any depth, inside arrays too: the value becomes
 *       {@link #REDACTED} (null stays null). Keys match ignoring case and separators, so
 *       {@code api_key}, {@code api-key}, {@code apiKey} and {@code API_KEY} are one key. The
 *       defaults: password, passwd, pwd, passphrase, secret, client_secret, token, access_token,
 *       refresh_token, id_token, session_token, session_id, jsessionid, api_key, x-api-key,
 *       private_key, authorization, proxy-authorization, cookie, set-cookie, cvv, cvv2, cvc, cvc2,
 *       security_code, card_number, credit_card_number, pan, ssn, social_security_number; and any
 *       key ending in password, passwd, secret, token, api_key, private_key, authorization,
 *       cookie, card_number or passphrase ({@code newPassword}, {@code csrfToken}), or containing
 *       password. A change whose path passes through a sensitive key keeps both values redacted,
 *       so a password change is recorded as changed without either password.
 *   <li><b>Card numbers in free text</b>: 13–19 digits, optionally grouped by spaces or dashes,
 *       starting with 2–6 and passing the Luhn check, keep their last four digits:
 *       {@code 4111 1111 1111 1111} → {@code **** **** **** 1111}. Numbers (as opposed to strings)
 *       are left alone.
 * </ul>
 *
 * <pre>{@code
 * RedactionPolicy.defaults().maskKeys("gateCode").keepKeys("pan")   // a host whose "pan" is a camera setting
 * }</pre>
 */
public final class RedactionPolicy {
  /** What a redacted value reads. */
  public static final String REDACTED = "[REDACTED]";

  private static final int KEY_LENGTH = 256;
  private static final TextNode REDACTED_NODE = TextNode.valueOf(REDACTED);
  private static final RedactionPolicy DEFAULTS =
      new RedactionPolicy(SensitiveKeys.DEFAULT_EXACT, SensitiveKeys.DEFAULT_SUFFIXES, Set.of(), true);
  private static final RedactionPolicy NONE = new RedactionPolicy(Set.of(), Set.of(), Set.of(), false);

  private final Set<String> exact;
  private final Set<String> suffixes;
  private final Set<String> kept;
  private final boolean cards;

  private RedactionPolicy(Set<String> exact, Set<String> suffixes, Set<String> kept, boolean cards) {
    this.exact = exact;
    this.suffixes = suffixes;
    this.kept = kept;
    this.cards = cards;
  }

  /** The default keys and card-number detection. */
  public static RedactionPolicy defaults() {
    return DEFAULTS;
  }

  /** Redacts nothing (keys added with {@link #maskKeys} still apply). */
  public static RedactionPolicy none() {
    return NONE;
  }

  /**
   * This policy plus more sensitive keys, matched like the defaults (exactly, ignoring case and
   * separators).
   *
   * @throws IllegalArgumentException for null, blank, over-long keys or keys without letters or digits
   */
  public RedactionPolicy maskKeys(String... keys) {
    Set<String> more = new HashSet<>(exact);
    Set<String> keep = new HashSet<>(kept);
    for (String k : checked(keys)) {
      more.add(k);
      keep.remove(k);
    }
    return new RedactionPolicy(Set.copyOf(more), suffixes, Set.copyOf(keep), cards);
  }

  /**
   * This policy minus some keys it would otherwise redact (a default, or one matched by suffix).
   *
   * @throws IllegalArgumentException as {@link #maskKeys}
   */
  public RedactionPolicy keepKeys(String... keys) {
    Set<String> keep = new HashSet<>(kept);
    Set<String> less = new HashSet<>(exact);
    for (String k : checked(keys)) {
      keep.add(k);
      less.remove(k);
    }
    return new RedactionPolicy(Set.copyOf(less), suffixes, Set.copyOf(keep), cards);
  }

  /** This policy with card-number detection in free text switched on or off. */
  public RedactionPolicy detectCardNumbers(boolean on) {
    return new RedactionPolicy(exact, suffixes, kept, on);
  }

  /** Whether values under {@code key} are redacted. Null is not. */
  public boolean isSensitiveKey(String key) {
    if (key == null || key.isEmpty()) {
      return false;
    }
    String k = SensitiveKeys.normalize(key);
    if (k.isEmpty() || kept.contains(k)) {
      return false;
    }
    if (exact.contains(k)) {
      return true;
    }
    if (suffixes.isEmpty()) {
      return false;
    }
    if (k.contains("password")) {
      return true;
    }
    for (String s : suffixes) {
      if (k.endsWith(s)) {
        return true;
      }
    }
    return false;
  }

  /** A redacted copy of a JSON value; null stays null. The argument is not changed. */
  public JsonNode redact(JsonNode value) {
    return value == null ? null : redactInPlace(value.deepCopy());
  }

  /** {@code text} with card numbers masked (when detection is on); null stays null. */
  public String redactText(String text) {
    return cards ? CardNumbers.mask(text) : text;
  }

  /**
   * A request path with the values of sensitive query and fragment parameters replaced by
   * {@link #REDACTED}, a password in a {@code user:password@} prefix removed, and card numbers
   * masked: {@code /reset?token=abc&x=1} → {@code /reset?token=[REDACTED]&x=1}. Null stays null.
   */
  public String redactPath(String path) {
    if (path == null) {
      return null;
    }
    String p = path;
    int scheme = p.indexOf("://");
    if (scheme >= 0) {
      int at = p.indexOf('@', scheme + 3);
      int slash = p.indexOf('/', scheme + 3);
      int colon = p.indexOf(':', scheme + 3);
      if (at > 0 && (slash < 0 || at < slash) && colon > 0 && colon < at) {
        p = p.substring(0, colon + 1) + REDACTED + p.substring(at);
      }
    }
    int hash = p.indexOf('#');
    String fragment = hash >= 0 ? p.substring(hash + 1) : null;
    String beforeHash = hash >= 0 ? p.substring(0, hash) : p;
    int q = beforeHash.indexOf('?');
    String query = q >= 0 ? beforeHash.substring(q + 1) : null;
    StringBuilder out = new StringBuilder(p.length() + 16);
    out.append(redactText(q >= 0 ? beforeHash.substring(0, q) : beforeHash));
    if (query != null) {
      out.append('?').append(redactParams(query));
    }
    if (fragment != null) {
      out.append('#').append(fragment.indexOf('=') >= 0 ? redactParams(fragment) : redactText(fragment));
    }
    return out.toString();
  }

  private String redactParams(String params) {
    StringBuilder out = new StringBuilder(params.length());
    int start = 0;
    while (start <= params.length()) {
      int amp = params.indexOf('&', start);
      int end = amp < 0 ? params.length() : amp;
      String pair = params.substring(start, end);
      int eq = pair.indexOf('=');
      if (eq >= 0 && isSensitiveKey(decode(pair.substring(0, eq)))) {
        out.append(pair, 0, eq + 1).append(REDACTED);
      } else {
        out.append(redactText(pair));
      }
      if (amp < 0) {
        break;
      }
      out.append('&');
      start = amp + 1;
    }
    return out.toString();
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  /** Redacts a tree that the caller owns, changing it; returns the node to use (a new one for a root string). */
  JsonNode redactInPlace(JsonNode node) {
    if (node instanceof ObjectNode obj) {
      for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode v = e.getValue();
        if (isSensitiveKey(e.getKey())) {
          if (!v.isNull()) {
            e.setValue(REDACTED_NODE);
          }
        } else {
          JsonNode r = redactInPlace(v);
          if (r != v) {
            e.setValue(r);
          }
        }
      }
      return obj;
    }
    if (node instanceof ArrayNode arr) {
      for (int i = 0; i < arr.size(); i++) {
        JsonNode v = arr.get(i);
        JsonNode r = redactInPlace(v);
        if (r != v) {
          arr.set(i, r);
        }
      }
      return arr;
    }
    if (cards && node != null && node.isTextual()) {
      String t = node.textValue();
      String m = CardNumbers.mask(t);
      return m == t ? node : TextNode.valueOf(m);
    }
    return node;
  }

  /** A change with secrets removed; the same instance when nothing needed removing. */
  FieldChange redactChange(FieldChange c) {
    for (String name : Paths.names(c.path())) {
      if (isSensitiveKey(name)) {
        JsonNode from = c.fromNode().isNull() ? c.fromNode() : REDACTED_NODE;
        JsonNode to = c.toNode().isNull() ? c.toNode() : REDACTED_NODE;
        return FieldChange.of(c.path(), from, to);
      }
    }
    JsonNode from = redactInPlace(c.fromNode().deepCopy());
    JsonNode to = redactInPlace(c.toNode().deepCopy());
    if (from.equals(c.fromNode()) && to.equals(c.toNode())) {
      return c;
    }
    return FieldChange.of(c.path(), from, to);
  }

  /** Applies the policy to everything an event carries that may hold a secret. */
  void apply(AuditEvent.Builder b) {
    if (this == NONE) {
      return;
    }
    JsonNode oldValue = b.oldValueNode() == null ? null : redactInPlace(b.oldValueNode());
    JsonNode newValue = b.newValueNode() == null ? null : redactInPlace(b.newValueNode());
    List<FieldChange> changes = new ArrayList<>(b.changeList().size());
    for (FieldChange c : b.changeList()) {
      changes.add(redactChange(c));
    }
    ObjectNode metadata = (ObjectNode) redactInPlace(b.metadataNode());
    b.replaceJson(oldValue, newValue, changes, metadata);
    RequestInfo r = b.request();
    if (r.path() != null) {
      String p = redactPath(r.path());
      if (!p.equals(r.path())) {
        b.request(r.toBuilder().path(p).build());
      }
    }
  }

  private static List<String> checked(String... keys) {
    if (keys == null) {
      throw new IllegalArgumentException("keys must not be null");
    }
    List<String> out = new ArrayList<>(keys.length);
    for (String k : keys) {
      if (k == null || k.isBlank()) {
        throw new IllegalArgumentException("a key must not be null or blank");
      }
      if (k.length() > KEY_LENGTH) {
        throw new IllegalArgumentException("a key must be at most " + KEY_LENGTH + " characters, got " + k.length());
      }
      String n = SensitiveKeys.normalize(k);
      if (n.isEmpty()) {
        throw new IllegalArgumentException("a key needs at least one letter or digit: \"" + k.strip() + "\"");
      }
      out.add(n);
    }
    return Collections.unmodifiableList(out);
  }

  @Override
  public String toString() {
    return "RedactionPolicy{extraKeys=" + exact.size() + ", kept=" + kept + ", cardNumbers=" + cards + "}";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RedactionPolicy p && exact.equals(p.exact) && suffixes.equals(p.suffixes)
        && kept.equals(p.kept) && cards == p.cards;
  }

  @Override
  public int hashCode() {
    return Objects.hash(exact, suffixes, kept, cards);
  }
}
