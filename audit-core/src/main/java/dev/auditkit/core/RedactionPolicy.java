package dev.auditkit.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.auditkit.core.internal.CardNumbers;
import dev.auditkit.core.internal.Paths;
import dev.auditkit.core.internal.SecretsInText;
import dev.auditkit.core.internal.SensitiveKeys;
import dev.auditkit.core.internal.Json;
import dev.auditkit.core.internal.NameValuePairs;
import dev.auditkit.core.internal.Text;
import dev.auditkit.core.internal.UrlCredentials;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
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
 * changes (values and paths), metadata, the request path, user agent and IP, the resource label,
 * the states and the actor's extra ids. Each value is cleaned first as the event will hold it
 * (control characters removed), so that nothing they split is missed.
 *
 * <ul>
 *   <li><b>Sensitive keys</b> at any depth, inside arrays and inside strings that hold JSON: the
 *       value becomes {@link #REDACTED} (null stays null). Keys match ignoring case, separators
 *       and compatibility forms, so {@code api_key}, {@code api-key}, {@code apiKey},
 *       {@code API_KEY} and fullwidth {@code ＡＰＩ＿ＫＥＹ} are one key. The defaults: password,
 *       passwd, pwd, passphrase, passcode, secret(s), client_secret, token(s), access_token,
 *       refresh_token, id_token, session_token, session_id, jsessionid, api_key, x-api-key,
 *       access_key, private_key, authorization, proxy-authorization, cookie(s), set-cookie, cvv,
 *       cvv2, cvc, cvc2, security_code, pin, otp, card_number, credit_card_number, pan, ssn,
 *       social_security_number, sig, signature, x-amz-signature, x-amz-credential,
 *       x-goog-signature, x-goog-credential; any key ending in password, passwd, secret(s), token(s),
 *       api_key(s), access_key, secret_key, private_key, authorization, cookie(s), card_number,
 *       passphrase, passcode, cvv, cvc, security_code or ssn ({@code newPassword},
 *       {@code csrfToken}, {@code cardCvv}), except counts of language-model tokens
 *       ({@code totalTokens}) and cookie-consent flags ({@code acceptCookies}); and any key
 *       containing password, passwd, secret (not as in secretary), private_key or api_key unless it
 *       ends in a naming word such as id, name, arn, prefix, type or version ({@code apiKeyId},
 *       {@code secretName} name a secret without holding it). A change whose path passes through a
 *       sensitive key keeps both values redacted and its path is cut after that key (what follows
 *       may be a secret used as a map key), so a password change is recorded as changed without
 *       either password; an identity selector on a sensitive key loses its value
 *       ({@code sessions[token=\[REDACTED\]].ip}). Request paths, and URLs in any text: sensitive
 *       query and fragment parameters, and {@code ;name=} path parameters ({@code ;jsessionid=}).
 *   <li><b>Card numbers in free text</b> (values, keys, change paths): 13–19 digits (ASCII or
 *       fullwidth), optionally grouped by single spaces, dashes, dots or plus signs, starting with
 *       2–6 and passing the Luhn check, keep their last four digits: {@code 4111 1111 1111 1111} →
 *       {@code **** **** **** 1111}; also one followed by more groups (its CVV), and one
 *       URL-encoded in a query. Numbers (as opposed to strings) are left alone.
 *   <li><b>Name/value pairs</b> as HTTP logs keep headers and cookies
 *       ({@code {"name": "Authorization", "value": "…"}}): the value of a sensitive name.
 *   <li><b>URL credentials</b> in any text: {@code postgres://app:[REDACTED]@db}, and the user of
 *       an http(s) URL, which is often a token: {@code https://[REDACTED]@github.com}.
 *   <li><b>Secrets written into text</b>: the value after a sensitive name and {@code =} or
 *       {@code :} ({@code password=[REDACTED]}, {@code "api_key": "[REDACTED]"}), and the token
 *       after {@code Bearer} or {@code Basic} when it looks like one (while {@code authorization}
 *       is a sensitive key). Signed URLs' {@code sig}, {@code signature}, {@code X-Amz-Signature},
 *       {@code X-Amz-Credential} and the Google equivalents are default keys.
 * </ul>
 *
 * <p>A string that holds JSON too deep or with numbers too long for auditkit to read (over 1000
 * levels or digits) cannot be checked and is replaced by {@link #REDACTED} with its length.
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

  /** Keys decided so far: the same few keys come with every event, and deciding one takes some 30 scans. */
  private static final int DECIDED_MAX = 4096;
  /** Longer keys are not remembered: a few thousand of them, untrusted, could hold on to much memory. */
  private static final int DECIDED_KEY_LENGTH = 64;

  private final Set<String> exact;
  private final Set<String> suffixes;
  private final Set<String> kept;
  private final boolean cards;
  /** Bounded: keys beyond {@link #DECIDED_MAX} (untrusted ones, say) are decided each time, not kept. */
  private final Map<String, Boolean> decided = new java.util.concurrent.ConcurrentHashMap<>();
  /** Whether {@code Bearer}/{@code Basic} credentials in text are redacted: as the Authorization header is. */
  private final boolean credentialsInText;
  /** {@link #isSensitiveKey} as a predicate, made once: not a new one for every text. */
  private final java.util.function.Predicate<String> sensitiveKey = this::isSensitiveInText;

  private RedactionPolicy(Set<String> exact, Set<String> suffixes, Set<String> kept, boolean cards) {
    this.exact = exact;
    this.suffixes = suffixes;
    this.kept = kept;
    this.cards = cards;
    this.credentialsInText = isSensitiveKey("authorization");
  }

  /**
   * A name written into text whose value is redacted: a sensitive key, but not {@code sig} or
   * {@code signature}, which in prose ("Signature: received by J. Doe") are not the URL parameters
   * they are as keys.
   */
  private boolean isSensitiveInText(String name) {
    return !name.equalsIgnoreCase("sig") && !name.equalsIgnoreCase("signature") && isSensitiveKey(name);
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
    Boolean known = decided.get(key);
    if (known != null) {
      return known;
    }
    boolean sensitive = decide(key);
    if (key.length() <= DECIDED_KEY_LENGTH && decided.size() < DECIDED_MAX) {
      decided.put(key, sensitive);
    }
    return sensitive;
  }

  private boolean decide(String key) {
    String k = SensitiveKeys.normalize(key);
    if (k.isEmpty() || kept.contains(k)) {
      return false;
    }
    if (exact.contains(k)) {
      return true;
    }
    if (suffixes.isEmpty() || SensitiveKeys.DEFAULT_NOT_SECRET.contains(k)) {
      return false;
    }
    if (SensitiveKeys.holdsSensitiveWord(k)) {
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

  /**
   * {@code text} with the credentials of any URL in it removed ({@code postgres://app:[REDACTED]@db},
   * {@code https://[REDACTED]@github.com}), sensitive query parameters, the values of sensitive
   * names written into it ({@code password=[REDACTED]}, {@code "api_key": "[REDACTED]"}), HTTP
   * credentials ({@code Bearer [REDACTED]}, while {@code authorization} is a sensitive key) and card
   * numbers masked (when detection is on); null stays null.
   */
  public String redactText(String text) {
    return redactText(text, true);
  }

  /** {@code pairs}: also sensitive {@code name=value} pairs and credentials in the text (not in change paths, whose selectors have their own rule). */
  private String redactText(String text, boolean pairs) {
    if (text == null) {
      return null;
    }
    String t = redactUrlQueries(UrlCredentials.redact(text));
    if (pairs) {
      t = SecretsInText.redact(t, sensitiveKey, credentialsInText, REDACTED);
    }
    return cards ? CardNumbers.mask(t) : t;
  }

  /**
   * The values of sensitive query parameters of every URL in {@code text}
   * ({@code https://app/reset?token=[REDACTED]&u=7}); only by key, so it does not recurse.
   */
  private String redactUrlQueries(String text) {
    int scheme = text.indexOf("://");
    if (scheme < 0 || text.indexOf('?', scheme) < 0) {
      return text;
    }
    StringBuilder out = null;
    int copied = 0;
    while (scheme >= 0) {
      int end = scheme + 3;
      while (end < text.length() && !UrlCredentials.endsUrl(text.charAt(end))) {
        end++;
      }
      int q = text.indexOf('?', scheme);
      if (q >= 0 && q < end) {
        int hash = text.indexOf('#', q);
        int queryEnd = hash >= 0 && hash < end ? hash : end;
        String query = text.substring(q + 1, queryEnd);
        String redacted = redactSensitiveParams(query);
        if (!redacted.equals(query)) {
          if (out == null) {
            out = new StringBuilder(text.length());
          }
          out.append(text, copied, q + 1).append(redacted);
          copied = queryEnd;
        }
      }
      scheme = text.indexOf("://", end);
    }
    return out == null ? text : out.append(text, copied, text.length()).toString();
  }

  /** Query parameters with the values of sensitive keys replaced, nothing else changed. */
  private String redactSensitiveParams(String params) {
    return redactParams(params, false);
  }

  /**
   * A request path with the values of sensitive parameters replaced by {@link #REDACTED} (in the
   * query, the fragment and {@code ;name=value} path parameters such as {@code ;jsessionid=}), the
   * credentials of a {@code user:password@} or {@code token@} prefix removed, and card numbers
   * masked (also when URL-encoded): {@code /reset?token=abc&x=1} → {@code /reset?token=[REDACTED]&x=1}.
   * Null stays null.
   */
  public String redactPath(String path) {
    if (path == null) {
      return null;
    }
    String p = UrlCredentials.redact(path);
    int hash = p.indexOf('#');
    String fragment = hash >= 0 ? p.substring(hash + 1) : null;
    String beforeHash = hash >= 0 ? p.substring(0, hash) : p;
    int q = beforeHash.indexOf('?');
    String query = q >= 0 ? beforeHash.substring(q + 1) : null;
    StringBuilder out = new StringBuilder(p.length() + 16);
    out.append(redactPathParams(q >= 0 ? beforeHash.substring(0, q) : beforeHash));
    if (query != null) {
      out.append('?').append(redactParams(query));
    }
    if (fragment != null) {
      out.append('#').append(fragment.indexOf('=') >= 0 ? redactParams(fragment) : redactText(fragment));
    }
    return out.toString();
  }

  /** The part of a path before its query: {@code ;name=value} parameters of its segments, and card numbers. */
  private String redactPathParams(String p) {
    if (p.indexOf(';') < 0) {
      return redactText(p);
    }
    StringBuilder out = new StringBuilder(p.length() + 16);
    int i = 0;
    while (i < p.length()) {
      int semi = p.indexOf(';', i);
      if (semi < 0) {
        out.append(redactText(p.substring(i)));
        break;
      }
      out.append(redactText(p.substring(i, semi + 1)));
      int end = semi + 1;
      while (end < p.length() && p.charAt(end) != ';' && p.charAt(end) != '/') {
        end++;
      }
      String param = p.substring(semi + 1, end);
      int eq = param.indexOf('=');
      if (eq >= 0 && isSensitiveKey(decode(param.substring(0, eq)))) {
        out.append(param, 0, eq + 1).append(REDACTED);
      } else {
        out.append(redactParamText(param));
      }
      i = end;
    }
    return out.toString();
  }

  /** Query or fragment parameters, separated by {@code &} or {@code ;}. */
  private String redactParams(String params) {
    return redactParams(params, true);
  }

  /**
   * Parameters separated by {@code &} or {@code ;}: the values of sensitive keys replaced, and with
   * {@code inText} the others' text redacted too ({@link #redactParamText}).
   */
  private String redactParams(String params, boolean inText) {
    StringBuilder out = new StringBuilder(params.length());
    int start = 0;
    while (start <= params.length()) {
      int end = start;
      while (end < params.length() && params.charAt(end) != '&' && params.charAt(end) != ';') {
        end++;
      }
      String pair = params.substring(start, end);
      int eq = pair.indexOf('=');
      if (eq >= 0 && isSensitiveKey(decode(pair.substring(0, eq)))) {
        out.append(pair, 0, eq + 1).append(REDACTED);
      } else {
        out.append(inText ? redactParamText(pair) : pair);
      }
      if (end >= params.length()) {
        break;
      }
      out.append(params.charAt(end));
      start = end + 1;
    }
    return out.toString();
  }

  /**
   * A URL-encoded parameter ({@code name=value} or a bare value) with card numbers masked and URL
   * credentials removed; the value is also looked at decoded, where {@code 4111+1111+1111+1111} is
   * a card number too, and then written back encoded.
   */
  private String redactParamText(String pair) {
    int eq = pair.indexOf('=');
    String name = pair.substring(0, eq + 1);
    String value = pair.substring(eq + 1);
    String plain = redactText(value);
    if (!cards || !plain.equals(value)) {
      return name + plain;
    }
    String decoded = decode(value);
    if (decoded.equals(value)) {
      return pair;
    }
    String masked = CardNumbers.mask(decoded);
    return masked == decoded ? pair : name + URLEncoder.encode(masked, StandardCharsets.UTF_8);
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  /** One application of the policy to a value: whether it changed anything. */
  private static final class Run {
    boolean changed;
  }

  /**
   * Redacts a tree that the caller owns, changing it; returns the node to use (a new one for a root
   * string). Keys are looked at too: a card number used as a key is masked
   * ({@code cards.************1111}).
   */
  JsonNode redactInPlace(JsonNode node) {
    return redactInPlace(node, new Run(), false);
  }

  /** {@code embedded}: the tree was read from a string; strings inside it are not read as JSON again. */
  private JsonNode redactInPlace(JsonNode node, Run run, boolean embedded) {
    if (node instanceof ObjectNode obj) {
      redactNamedValue(obj, run);
      List<String> renamed = null;
      for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode v = e.getValue();
        if (isSensitiveKey(e.getKey())) {
          if (!v.isNull() && !v.equals(REDACTED_NODE)) {
            e.setValue(REDACTED_NODE);
            run.changed = true;
          }
        } else {
          JsonNode r = redactInPlace(v, run, embedded);
          if (r != v) {
            e.setValue(r);
          }
        }
        if (!redactText(e.getKey(), false).equals(e.getKey())) { // (keys: no name=value rule)
          (renamed == null ? renamed = new ArrayList<>() : renamed).add(e.getKey());
        }
      }
      if (renamed != null) {
        run.changed = true;
        Map<String, Integer> next = new java.util.HashMap<>(); // per masked key: no search starts at #2 again
        for (String key : renamed) {
          JsonNode v = obj.remove(key);
          String masked = redactText(key, false);
          String free = masked;
          int n = next.getOrDefault(masked, 2);
          while (obj.has(free)) {
            free = masked + " #" + n++; // two card numbers with the same last digits stay two keys
          }
          next.put(masked, n);
          obj.set(free, v);
        }
      }
      return obj;
    }
    if (node instanceof ArrayNode arr) {
      for (int i = 0; i < arr.size(); i++) {
        JsonNode v = arr.get(i);
        JsonNode r = redactInPlace(v, run, embedded);
        if (r != v) {
          arr.set(i, r);
        }
      }
      return arr;
    }
    if (node != null && node.isTextual()) {
      String t = node.textValue();
      // JSON held in the string first: the text rules would cut a JSON value short, not redact it whole
      String m = redactText(embedded ? t : redactEmbeddedJson(t));
      if (m.equals(t)) {
        return node;
      }
      run.changed = true;
      return TextNode.valueOf(m);
    }
    return node;
  }

  /**
   * A name/value pair as HTTP logs keep headers, cookies and query parameters
   * ({@code {"name": "Authorization", "value": "Bearer …"}}, the HAR format; also {@code key}
   * and {@code header} for the name): the value of a sensitive name is redacted.
   */
  private void redactNamedValue(ObjectNode obj, Run run) {
    JsonNode value = obj.get(NameValuePairs.VALUE);
    if (value == null || value.isNull() || value.equals(REDACTED_NODE) || obj.size() > NameValuePairs.MAX_MEMBERS) {
      return;
    }
    for (String nameKey : NameValuePairs.NAMES) {
      JsonNode name = obj.get(nameKey);
      if (name != null && name.isTextual() && looksLikeFieldName(name.textValue()) && isSensitiveKey(name.textValue())) {
        obj.set(NameValuePairs.VALUE, REDACTED_NODE);
        run.changed = true;
        return;
      }
    }
  }

  /**
   * Whether a pair's name reads like a header, cookie or parameter name (letters, digits and
   * {@code - _ . :}, at most 128): "Password Manager Pro" on an order line is a product, not a key.
   */
  private static boolean looksLikeFieldName(String name) {
    if (name.isEmpty() || name.length() > 128) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.' || c == ':')) {
        return false;
      }
    }
    return true;
  }

  /**
   * A string that starts with a JSON object or array (a request body kept as text, a log line)
   * redacted inside that value, which is written back compactly; text after the value is kept.
   * Unchanged when that removed nothing or it is no JSON. One level only: strings inside it are not
   * read again. JSON past the limits of what auditkit reads (nesting over 1000, numbers over 1000
   * digits) cannot be checked, so it is not recorded.
   */
  private String redactEmbeddedJson(String s) {
    int first = 0;
    while (first < s.length() && Character.isWhitespace(s.charAt(first))) {
      first++;
    }
    if (first == s.length() || (s.charAt(first) != '{' && s.charAt(first) != '[')) {
      return s;
    }
    try (com.fasterxml.jackson.core.JsonParser parser = Json.MAPPER.createParser(s)) {
      JsonNode inner = Json.MAPPER.readTree(parser);
      if (inner == null || !inner.isContainerNode()) {
        return s;
      }
      long end = parser.currentLocation().getCharOffset();
      Run run = new Run();
      JsonNode redacted = redactInPlace(inner, run, true);
      if (!run.changed) {
        return s;
      }
      return s.substring(0, first) + Json.MAPPER.writeValueAsString(redacted)
          + (end >= 0 && end <= s.length() ? s.substring((int) end) : "");
    } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException tooLarge) {
      return REDACTED + " (JSON of " + s.length() + " characters past the limits auditkit reads: not checked for secrets)";
    } catch (IOException notJson) { // (JacksonException is one; reading a String does no other I/O)
      return s;
    }
  }

  /**
   * A change with secrets removed; the same instance when nothing needed removing. Its path loses
   * card numbers and the values of identity selectors on sensitive keys
   * ({@code sessions[token=[REDACTED]].ip}); its values are cleaned first, as the event will be.
   */
  FieldChange redactChange(FieldChange c) {
    return redactChange(c, new Run());
  }

  private FieldChange redactChange(FieldChange c, Run run) {
    String cleaned = Text.singleLine(c.path(), Integer.MAX_VALUE);
    String path = Paths.replaceSelectorValues(redactText(cleaned, false), this::isSensitiveKey, REDACTED);
    for (String[] selector : Paths.selectors(path)) {
      // headers[name=Authorization].value: a name/value pair whose name is sensitive
      if (NameValuePairs.NAMES.contains(selector[0]) && looksLikeFieldName(selector[1]) && isSensitiveKey(selector[1])) {
        return redactedWhole(c, path, run);
      }
    }
    List<String> names = Paths.names(path);
    for (int i = 0; i < names.size(); i++) {
      if (isSensitiveKey(names.get(i))) {
        // what follows a sensitive name may be a secret itself (a token used as a map key)
        return redactedWhole(c, Paths.throughName(path, i), run);
      }
    }
    JsonNode from = redactInPlace(Json.sanitize(c.fromNode().deepCopy()), run, false);
    JsonNode to = redactInPlace(Json.sanitize(c.toNode().deepCopy()), run, false);
    if (path.equals(c.path()) && from.equals(c.fromNode()) && to.equals(c.toNode())) {
      return c;
    }
    if (!path.equals(cleaned)) {
      run.changed = true;
    }
    return FieldChange.of(path, from, to);
  }

  /** {@code c} at {@code path} with both values {@link #REDACTED} (null stays null). */
  private static FieldChange redactedWhole(FieldChange c, String path, Run run) {
    JsonNode from = c.fromNode().isNull() ? c.fromNode() : REDACTED_NODE;
    JsonNode to = c.toNode().isNull() ? c.toNode() : REDACTED_NODE;
    if (!path.equals(c.path()) || !from.equals(c.fromNode()) || !to.equals(c.toNode())) {
      run.changed = true;
    }
    return FieldChange.of(path, from, to);
  }

  /**
   * Applies the policy to everything an event carries that may hold a secret. Each value is
   * cleaned first, exactly as building the event will clean it (without the length limits, which
   * come after): removing a control character can join what it kept apart, such as the digit
   * groups of a card number, and redaction must see what will be stored.
   */
  void apply(AuditEvent.Builder b) {
    if (this == NONE) {
      return;
    }
    Run run = new Run();
    JsonNode oldValue = b.oldValueNode() == null ? null : redactInPlace(Json.sanitize(b.oldValueNode()), run, false);
    JsonNode newValue = b.newValueNode() == null ? null : redactInPlace(Json.sanitize(b.newValueNode()), run, false);
    List<FieldChange> changes = new ArrayList<>(b.changeList().size());
    for (FieldChange c : b.changeList()) {
      changes.add(redactChange(c, run));
    }
    ObjectNode metadata = (ObjectNode) redactInPlace(Json.sanitize(b.metadataNode()), run, false);
    if (run.changed) {
      // what redaction wrote may need cleaning again (JSON read from a string and written back
      // holds its escapes as characters; a renamed key may be longer than keys are kept): building does it
      b.replaceJson(oldValue, newValue, changes, metadata);
    } else {
      b.replaceCleanJson(oldValue, newValue, changes, metadata); // clean already: not cleaned twice
    }
    RequestInfo r = b.request();
    if (!r.isEmpty()) {
      RequestInfo clean = r.toBuilder()
          .path(redactPath(line(r.path())))
          .userAgent(redactLine(r.userAgent()))
          .ip(redactLine(r.ip())) // a card number given as the IP would be echoed in the note that drops it
          .build();
      if (!clean.equals(r)) {
        b.request(clean);
      }
    }
    Resource res = b.resourceValue();
    if (res != null && res.label() != null) {
      String label = redactLine(res.label());
      if (!label.equals(res.label())) {
        b.resource(res.label(label));
      }
    }
    if (b.fromStateValue() != null) {
      b.fromState(redactLine(b.fromStateValue()));
    }
    if (b.toStateValue() != null) {
      b.toState(redactLine(b.toStateValue()));
    }
    Actor actor = b.actor();
    if (actor != null && !actor.extraIds().isEmpty()) {
      Map<String, String> ids = new java.util.TreeMap<>();
      actor.extraIds().forEach((k, v) -> ids.put(k, isSensitiveKey(line(k)) ? REDACTED : redactLine(v)));
      if (!ids.equals(actor.extraIds())) {
        b.actor(actor.extraIds(ids));
      }
    }
  }

  /** A one-line value cleaned as the event will hold it, before any length limit. */
  private static String line(String s) {
    return Text.singleLine(s, Integer.MAX_VALUE);
  }

  private String redactLine(String s) {
    return redactText(line(s));
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
