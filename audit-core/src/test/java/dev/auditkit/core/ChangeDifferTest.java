package dev.auditkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ChangeDifferTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ChangeDiffer differ = ChangeDiffer.defaults();

  public record Address(String street, String city) {}

  public record Customer(String name, Address address, List<String> tags) {}

  public record Line(int id, String sku, int qty) {}

  public record Cart(String owner, List<Line> items) {}

  public enum Status { OPEN, DONE }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static List<String> paths(List<FieldChange> changes) {
    return changes.stream().map(FieldChange::path).toList();
  }

  private static String render(List<FieldChange> changes) {
    return changes.stream().map(FieldChange::toString).sorted().toList().toString();
  }

  @Test
  void nestedObjects_giveDottedPaths() {
    Customer a = new Customer("Ann", new Address("Main 1", "Orlando"), List.of("vip"));
    Customer b = new Customer("Ann", new Address("Main 1", "Tampa"), List.of("vip"));
    List<FieldChange> changes = differ.diff(a, b);
    assertThat(render(changes)).isEqualTo("[address.city: \"Orlando\" -> \"Tampa\"]");
  }

  @Test
  void lists_areComparedByPosition_withAddedAndRemovedItems() {
    assertThat(render(differ.diff(Map.of("tags", List.of("a", "b", "c")), Map.of("tags", List.of("a", "x")))))
        .isEqualTo("[tags[1]: \"b\" -> \"x\", tags[2]: \"c\" -> null]");
    assertThat(render(differ.diff(Map.of("tags", List.of("a")), Map.of("tags", List.of("a", "b")))))
        .isEqualTo("[tags[1]: null -> \"b\"]");
  }

  @Test
  void lists_withAnIdentityKey_areMatchedByKey_andReorderingIsNoChange() {
    ChangeDiffer keyed = ChangeDiffer.builder()
        .rules("Cart", DiffRules.builder().identityKey("items", "id").build()).build();
    Cart a = new Cart("ann", List.of(new Line(7, "apple", 1), new Line(8, "pear", 2), new Line(9, "fig", 1)));
    Cart b = new Cart("ann", List.of(new Line(8, "pear", 2), new Line(7, "apple", 3), new Line(10, "kiwi", 1)));
    assertThat(render(keyed.diff("Cart", a, b))).isEqualTo("[items[id=10]: null -> {\"id\":10,\"sku\":\"kiwi\",\"qty\":1}, "
        + "items[id=7].qty: 1 -> 3, items[id=9]: {\"id\":9,\"sku\":\"fig\",\"qty\":1} -> null]");
    assertThat(keyed.diff("Cart", a, new Cart("ann", List.of(a.items().get(2), a.items().get(0), a.items().get(1))))).isEmpty();
    assertThat(paths(keyed.diff("Other", a, b))).as("rules of another type do not apply").contains("items[0].id");
  }

  @Test
  void identityKey_fallsBackToPositions_whenKeysAreMissingOrDuplicated() {
    ChangeDiffer keyed = ChangeDiffer.builder().rules(DiffRules.builder().identityKey("items", "id").build()).build();
    List<FieldChange> changes = keyed.diff(Map.of("items", List.of(Map.of("id", 1, "q", 1), Map.of("id", 1, "q", 2))),
        Map.of("items", List.of(Map.of("id", 1, "q", 1), Map.of("id", 1, "q", 3))));
    assertThat(paths(changes)).containsExactly("items[1].q");
  }

  @Test
  void addedAndRemovedFields_areChangesFromAndToNull_andNullEqualsMissing() {
    List<FieldChange> changes = differ.diff(Map.of("gone", 1, "same", "x"), Map.of("same", "x", "new", true));
    assertThat(render(changes)).isEqualTo("[gone: 1 -> null, new: null -> true]");
    Map<String, Object> withNull = new LinkedHashMap<>();
    withNull.put("a", null);
    assertThat(differ.diff(withNull, Map.of())).isEmpty();
  }

  @Test
  void numbers_compareByValue_acrossTypesAndScales() {
    assertThat(differ.diff(Map.of("p", new BigDecimal("42.5")), Map.of("p", new BigDecimal("42.50")))).isEmpty();
    assertThat(differ.diff(Map.of("n", 7), Map.of("n", 7L))).isEmpty();
    assertThat(differ.diff(Map.of("n", 7), Map.of("n", new BigDecimal("7.000")))).isEmpty();
    assertThat(differ.diff(Map.of("n", 0.1d), Map.of("n", new BigDecimal("0.1")))).isEmpty();
    assertThat(differ.diff(Map.of("n", 2.5f), Map.of("n", 2.5d))).isEmpty();
    assertThat(differ.diff(Map.of("n", Double.NaN), Map.of("n", Double.NaN))).isEmpty();
    assertThat(render(differ.diff(Map.of("n", 42.5), Map.of("n", new BigDecimal("42.51"))))).isEqualTo("[n: 42.5 -> 42.51]");
    assertThat(paths(differ.diff(Map.of("n", 1), Map.of("n", "1")))).as("a number is not a string").containsExactly("n");
    assertThat(paths(differ.diff(Map.of("n", 1), Map.of("n", true)))).containsExactly("n");
  }

  @Test
  void times_compareAsInstants_andAreWrittenInUtc() {
    Instant t = Instant.parse("2026-11-22T12:00:00Z");
    OffsetDateTime plus2 = OffsetDateTime.parse("2026-11-22T14:00:00+02:00");
    ZonedDateTime ny = t.atZone(ZoneId.of("America/New_York"));
    assertThat(differ.diff(Map.of("at", t), Map.of("at", plus2))).isEmpty();
    assertThat(differ.diff(Map.of("at", ny), Map.of("at", Date.from(t)))).isEmpty();
    assertThat(differ.diff(Map.of("at", t), Map.of("at", "2026-11-22T07:00:00-05:00"))).as("ISO text with offset").isEmpty();
    JsonNode x = JSON.createObjectNode().put("at", "2026-11-22T12:00:00.000Z");
    JsonNode y = JSON.createObjectNode().put("at", "2026-11-22T13:00:00+01:00");
    assertThat(differ.diff(x, y)).isEmpty();
    List<FieldChange> changed = differ.diff(Map.of("at", plus2), Map.of("at", plus2.plusHours(1)));
    assertThat(render(changed)).isEqualTo("[at: \"2026-11-22T12:00:00Z\" -> \"2026-11-22T13:00:00Z\"]");
    assertThat(render(differ.diff(Map.of("d", LocalDate.of(2026, 1, 2)), Map.of("d", LocalDate.of(2026, 1, 3)))))
        .isEqualTo("[d: \"2026-01-02\" -> \"2026-01-03\"]");
  }

  @Test
  void enumsOptionalsUuidsUris_compareAsTheirJsonValues() {
    assertThat(render(differ.diff(Map.of("s", Status.OPEN), Map.of("s", Status.DONE)))).isEqualTo("[s: \"OPEN\" -> \"DONE\"]");
    assertThat(differ.diff(Map.of("s", Status.OPEN), Map.of("s", "OPEN"))).isEmpty();
    assertThat(differ.diff(Map.of("o", Optional.of("x")), Map.of("o", "x"))).isEmpty();
    Map<String, Object> nul = new LinkedHashMap<>();
    nul.put("o", null);
    assertThat(differ.diff(Map.of("o", Optional.empty()), nul)).isEmpty();
    UUID u = UUID.randomUUID();
    assertThat(differ.diff(Map.of("u", u), Map.of("u", u.toString()))).isEmpty();
    assertThat(paths(differ.diff(Map.of("u", URI.create("https://a")), Map.of("u", URI.create("https://b"))))).containsExactly("u");
  }

  @Test
  void collectionsAndArrays_ofEveryKind() {
    assertThat(differ.diff(Map.of("s", new LinkedHashSet<>(List.of(1, 2))), Map.of("s", List.of(1, 2)))).isEmpty();
    assertThat(differ.diff(Map.of("a", new int[] {1, 2}), Map.of("a", new Object[] {1, 2L}))).isEmpty();
    assertThat(render(differ.diff(Map.of("a", new int[] {1, 2}), Map.of("a", new int[] {1, 3})))).isEqualTo("[a[1]: 2 -> 3]");
    assertThat(differ.diff(Map.of("b", new byte[] {1, 2}), Map.of("b", new byte[] {1, 2}))).isEmpty();
    assertThat(paths(differ.diff(Map.of("b", new byte[] {1, 2}), Map.of("b", new byte[] {1, 3})))).containsExactly("b");
  }

  @Test
  void shapeChanges_andRootScalars_areWholeValueChanges() {
    assertThat(render(differ.diff(Map.of("v", Map.of("a", 1)), Map.of("v", List.of(1))))).isEqualTo("[v: {\"a\":1} -> [1]]");
    assertThat(render(differ.diff("a", "b"))).isEqualTo("[$: \"a\" -> \"b\"]");
    assertThat(render(differ.diff(1, null))).isEqualTo("[$: 1 -> null]");
    assertThat(render(differ.diff(List.of(1), List.of(2)))).isEqualTo("[[0]: 1 -> 2]");
    assertThat(differ.diff(null, null)).isEmpty();
  }

  @Test
  void nullRoot_countsAsEmpty_soCreationListsEveryInitialProperty() {
    Customer c = new Customer("Ann", new Address("Main 1", "Orlando"), List.of("vip"));
    assertThat(render(differ.diff(null, c))).isEqualTo(
        "[address: null -> {\"street\":\"Main 1\",\"city\":\"Orlando\"}, name: null -> \"Ann\", tags: null -> [\"vip\"]]");
    assertThat(paths(differ.diff(c, null))).containsExactlyInAnyOrder("name", "address", "tags");
  }

  @Test
  void beansAndMaps_canBeComparedWithEachOther() {
    Address a = new Address("Main 1", "Orlando");
    assertThat(differ.diff(a, Map.of("street", "Main 1", "city", "Orlando"))).isEmpty();
    assertThat(render(differ.diff(a, JSON.createObjectNode().put("street", "Main 1").put("city", "Tampa"))))
        .isEqualTo("[city: \"Orlando\" -> \"Tampa\"]");
  }

  @Test
  void mapKeysWithPathCharacters_areEscaped() {
    assertThat(paths(differ.diff(Map.of("a.b", 1, "c[0]", 1), Map.of("a.b", 2, "c[0]", 2))))
        .containsExactlyInAnyOrder("a\\.b", "c\\[0\\]");
    assertThat(paths(differ.diff(Map.of(Status.OPEN, 1), Map.of(Status.OPEN, 2)))).containsExactly("OPEN");
  }

  public static final class Account {
    private final String user;
    private final String password;
    private final Instant updatedAt;
    private final long version;
    private final String pin;

    Account(String user, String password, Instant updatedAt, long version, String pin) {
      this.user = user;
      this.password = password;
      this.updatedAt = updatedAt;
      this.version = version;
      this.pin = pin;
    }

    @JsonProperty("login")
    public String getUser() {
      return user;
    }

    @AuditMasked
    public String getPassword() {
      return password;
    }

    @AuditIgnore
    public Instant getUpdatedAt() {
      return updatedAt;
    }

    public long getVersion() {
      return version;
    }

    @JsonIgnore
    public String getPin() {
      return pin;
    }
  }

  public record Gate(String name, @AuditMasked String code, @AuditIgnore long version) {}

  @Test
  void annotations_ignoreAndMask_andJacksonAnnotationsAreHonoured() {
    Account a = new Account("ann", "old-secret", Instant.EPOCH, 1, "1111");
    Account b = new Account("ann2", "new-secret", Instant.now(), 2, "2222");
    assertThat(render(differ.diff(a, b))).isEqualTo(
        "[login: \"ann\" -> \"ann2\", password: \"[REDACTED]\" -> \"[REDACTED]\", version: 1 -> 2]");
    assertThat(ChangeApplier.normalize(differ.snapshot("Account", a))).isEqualTo(ChangeApplier.normalize(json("{\"login\":\"ann\",\"password\":\"[REDACTED]\",\"version\":1}")));
    assertThat(render(differ.diff(new Gate("g", "1234", 1), new Gate("g", "9999", 2))))
        .isEqualTo("[code: \"[REDACTED]\" -> \"[REDACTED]\"]");
    assertThat(differ.diff(new Gate("g", "1234", 1), new Gate("g", "1234", 2))).as("unchanged masked value").isEmpty();
    assertThat(render(differ.diff(new Gate("g", null, 1), new Gate("g", "1234", 1)))).isEqualTo("[code: null -> \"[REDACTED]\"]");
    assertThat(render(differ.diff(null, new Gate("g", "1234", 1)))).isEqualTo("[code: null -> \"[REDACTED]\", name: null -> \"g\"]");
  }

  @Test
  void rules_ignoreOnlyMask_withWildcards_globalAndPerType() {
    ChangeDiffer d = ChangeDiffer.builder()
        .rules(DiffRules.builder().ignore("**.updatedAt").mask("secret").build())
        .rules("Doc", DiffRules.builder().only("title", "meta.*.score").build())
        .build();
    Map<String, Object> a = Map.of("title", "A", "body", "x", "updatedAt", 1, "secret", "s1",
        "meta", Map.of("m1", Map.of("score", 1, "note", "n"), "updatedAt", 5));
    Map<String, Object> b = Map.of("title", "B", "body", "y", "updatedAt", 2, "secret", "s2",
        "meta", Map.of("m1", Map.of("score", 2, "note", "m"), "updatedAt", 6));
    assertThat(render(d.diff(a, b))).isEqualTo("[body: \"x\" -> \"y\", meta.m1.note: \"n\" -> \"m\", "
        + "meta.m1.score: 1 -> 2, secret: \"[REDACTED]\" -> \"[REDACTED]\", title: \"A\" -> \"B\"]");
    assertThat(render(d.diff("Doc", a, b))).as("only-rules leave out everything else, the masked key too")
        .isEqualTo("[meta.m1.score: 1 -> 2, title: \"A\" -> \"B\"]");
    assertThat(d.snapshot(null, a).get("secret").asText()).isEqualTo(RedactionPolicy.REDACTED);
    assertThat(d.snapshot(null, a).has("updatedAt")).isFalse();
    assertThat(d.snapshot(null, a).at("/meta").has("updatedAt")).isFalse();
    JsonNode snap = d.snapshot("Doc", a);
    assertThat(snap.has("body")).isFalse();
    assertThat(snap.has("updatedAt")).isFalse();
    assertThat(snap.at("/meta/m1/score").asInt()).isEqualTo(1);
    assertThat(snap.at("/meta/m1").has("note")).isFalse();
    assertThat(snap.has("secret")).isFalse();
    assertThat(snap.get("title").asText()).isEqualTo("A");
  }

  @Test
  void onlyRules_reachIntoWholeValuesThatAppear() {
    ChangeDiffer d = ChangeDiffer.builder().rules(DiffRules.builder().only("address.city").build()).build();
    Map<String, Object> before = Map.of("name", "a");
    Map<String, Object> after = Map.of("name", "b", "address", Map.of("city", "Tampa", "street", "Main"));
    assertThat(render(d.diff(before, after))).isEqualTo("[address: null -> {\"city\":\"Tampa\"}]");
  }

  public static final class Money {
    private final long cents;

    Money(long cents) {
      this.cents = cents;
    }

    @JsonValue
    public String text() {
      return cents / 100 + "." + String.format("%02d", cents % 100);
    }
  }

  @Test
  void classesJacksonWritesSpecially_areComparedAsJacksonWritesThem() {
    assertThat(render(differ.diff(Map.of("m", new Money(150)), Map.of("m", new Money(175))))).isEqualTo("[m: \"1.50\" -> \"1.75\"]");
    assertThat(differ.diff(Map.of("m", new Money(150)), Map.of("m", "1.50"))).isEmpty();
  }

  public static final class Broken {
    public String getName() {
      throw new IllegalStateException("lazy proxy not initialised");
    }
  }

  public static final class Node {
    public Node next;
    public String v = "x";
  }

  @Test
  void badInput_failsWithTheSideAndPath() {
    assertThatThrownBy(() -> differ.diff(Map.of("a", 1), Map.of("a", new Broken())))
        .isInstanceOfSatisfying(InvalidAuditEventException.class, e -> assertThat(e.field()).isEqualTo("after.a.name"))
        .hasMessageContaining("lazy proxy not initialised");
    Node cyc = new Node();
    cyc.next = cyc;
    Node other = new Node();
    other.next = other;
    other.v = "y";
    assertThatThrownBy(() -> differ.diff(cyc, other)).isInstanceOf(InvalidAuditEventException.class).hasMessageContaining("cycle");
    assertThatThrownBy(() -> differ.snapshot("N", cyc)).isInstanceOf(InvalidAuditEventException.class).hasMessageContaining("cycle");
  }

  @Test
  void badRules_areRefusedAtOnce() {
    assertThatThrownBy(() -> DiffRules.builder().ignore((String) null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DiffRules.builder().ignore(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DiffRules.builder().mask("a..b")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty segment");
    assertThatThrownBy(() -> DiffRules.builder().only("a\u0000b")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DiffRules.builder().only("a".repeat(2000))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DiffRules.builder().identityKey("items", "a.b")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DiffRules.builder().identityKey("items", " ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DiffRules.builder().ignore((String[]) null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> ChangeDiffer.builder().rules(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> ChangeDiffer.builder().rules(" ", DiffRules.none())).isInstanceOf(IllegalArgumentException.class);
    assertThat(DiffRules.builder().ignore("items[].qty").build().ignored()).containsExactly("items[].qty");
  }

  @Test
  void nullAndOddArguments_haveDefinedResults() {
    assertThat(differ.diff(null, Map.of("a", 1), Map.of("a", 2))).as("null type: global rules").hasSize(1);
    assertThat(differ.snapshot(null, null).isNull()).isTrue();
    assertThat(differ.snapshot("T", Optional.empty()).isNull()).isTrue();
    assertThat(differ.diff(Optional.empty(), null)).isEmpty();
    assertThat(paths(differ.diff(Map.of("k\u0000ey", 1), Map.of("k\u0000ey", 2))))
        .as("control characters in keys are left to the event sanitiser").containsExactly("k\u0000ey");
    String huge = "x".repeat(1_000_000);
    assertThat(differ.diff(Map.of("s", huge), Map.of("s", huge + "y")).get(0).to().asText()).hasSize(1_000_001);
  }

  @Test
  void largeValues_areDiffedWithoutRecursionTrouble() {
    Map<String, Object> deep = new LinkedHashMap<>();
    Map<String, Object> cur = deep;
    for (int i = 0; i < 200; i++) {
      Map<String, Object> next = new LinkedHashMap<>();
      cur.put("n", next);
      cur = next;
    }
    cur.put("leaf", 1);
    assertThat(differ.diff(deep, deep)).isEmpty();
    List<Integer> big = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      big.add(i);
    }
    List<Integer> big2 = new ArrayList<>(big);
    big2.set(5_000, -1);
    assertThat(paths(differ.diff(Map.of("l", big), Map.of("l", big2)))).containsExactly("l[5000]");
  }
}
