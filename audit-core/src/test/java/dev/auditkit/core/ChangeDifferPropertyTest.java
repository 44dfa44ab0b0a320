package dev.auditkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Property-style tests over hundreds of random documents from a fixed seed (failures name the case). */
class ChangeDifferPropertyTest {
  private static final int CASES = 500;
  private static final String[] KEYS = {"a", "b", "c", "name", "qty", "x.y", "k[1]", "back\\slash", "", "Ünï"};
  private static final String[] WORDS = {"alpha", "beta", "gamma", "", "2026-01-02T03:04:05Z", "ünïcode ✓"};
  private static final ObjectMapper JSON = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .build();

  private final ChangeDiffer differ = ChangeDiffer.defaults();

  // ---------------------------------------------------------------- generators

  static Object value(Random r, int depth) {
    int k = r.nextInt(depth >= 3 ? 6 : 9);
    switch (k) {
      case 0, 1:
        return WORDS[r.nextInt(WORDS.length)] + (r.nextBoolean() ? "" : String.valueOf(r.nextInt(3)));
      case 2:
        return r.nextInt(5);
      case 3:
        return BigDecimal.valueOf(r.nextInt(2000) - 1000, r.nextInt(3));
      case 4:
        return r.nextBoolean();
      case 5:
        return (long) r.nextInt(3) * 10_000_000_000L;
      case 6, 7:
        return map(r, depth + 1);
      default:
        return list(r, depth + 1);
    }
  }

  static Map<String, Object> map(Random r, int depth) {
    Map<String, Object> m = new LinkedHashMap<>();
    int n = r.nextInt(5);
    for (int i = 0; i < n; i++) {
      m.put(KEYS[r.nextInt(KEYS.length)], value(r, depth));
    }
    return m;
  }

  static List<Object> list(Random r, int depth) {
    List<Object> l = new ArrayList<>();
    int n = r.nextInt(4);
    for (int i = 0; i < n; i++) {
      l.add(value(r, depth));
    }
    return l;
  }

  @SuppressWarnings("unchecked")
  static Object mutate(Object v, Random r, int depth) {
    if (v instanceof Map<?, ?> src) {
      Map<String, Object> m = new LinkedHashMap<>((Map<String, Object>) src);
      for (String key : new ArrayList<>(m.keySet())) {
        int p = r.nextInt(10);
        if (p < 2) {
          m.remove(key);
        } else if (p < 5) {
          m.put(key, mutate(m.get(key), r, depth + 1));
        }
      }
      if (r.nextInt(4) == 0) {
        m.put(KEYS[r.nextInt(KEYS.length)], value(r, depth + 1));
      }
      return m;
    }
    if (v instanceof List<?> src) {
      List<Object> l = new ArrayList<>(src);
      for (int i = 0; i < l.size(); i++) {
        if (r.nextInt(3) == 0) {
          l.set(i, mutate(l.get(i), r, depth + 1));
        }
      }
      int p = r.nextInt(6);
      if (p == 0 && !l.isEmpty()) {
        l.remove(l.size() - 1);
      } else if (p == 1) {
        l.add(value(r, depth + 1));
      } else if (p == 2 && !l.isEmpty()) {
        l.remove(0);
      }
      return l;
    }
    if (v instanceof BigDecimal d && r.nextBoolean()) {
      return d.setScale(d.scale() + 2); // same value, other scale: not a change
    }
    return r.nextInt(3) == 0 ? v : value(r, depth);
  }

  private static JsonNode tree(Object v) {
    try {
      return JSON.readTree(JSON.writeValueAsString(v));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  // ---------------------------------------------------------------- properties

  @Test
  void diffOfAValueWithItself_orAnEqualCopy_isEmpty() {
    Random r = new Random(20261123L);
    for (int i = 0; i < CASES; i++) {
      Map<String, Object> a = map(r, 0);
      assertThat(differ.diff(a, a)).as("case %d: %s", i, a).isEmpty();
      assertThat(differ.diff(a, new LinkedHashMap<>(a))).as("case %d", i).isEmpty();
      assertThat(differ.diff(tree(a), tree(a))).as("case %d (trees)", i).isEmpty();
      assertThat(differ.diff(a, tree(a))).as("case %d (map vs tree)", i).isEmpty();
    }
  }

  @Test
  void applyingDiffAB_toA_givesB_forMaps() {
    Random r = new Random(7L);
    int nonEmpty = 0;
    for (int i = 0; i < CASES; i++) {
      Map<String, Object> a = map(r, 0);
      Object b = mutate(a, r, 0);
      List<FieldChange> changes = differ.diff(a, b);
      nonEmpty += changes.isEmpty() ? 0 : 1;
      JsonNode patched = ChangeApplier.apply(tree(a), changes);
      assertThat(ChangeApplier.normalize(patched)).as("case %d: %s -> %s via %s", i, a, b, changes)
          .isEqualTo(ChangeApplier.normalize(tree(b)));
    }
    assertThat(nonEmpty).as("the generator must produce real differences").isGreaterThan(CASES / 2);
  }

  @Test
  void applyingDiffAB_toA_givesB_forJacksonTrees_andTreesDiffLikeMaps() {
    Random r = new Random(11L);
    for (int i = 0; i < CASES; i++) {
      Object a = r.nextInt(5) == 0 ? list(r, 0) : map(r, 0);
      Object b = r.nextInt(20) == 0 ? value(r, 2) : mutate(a, r, 0);
      JsonNode ta = tree(a);
      JsonNode tb = tree(b);
      List<FieldChange> changes = differ.diff(ta, tb);
      assertThat(ChangeApplier.normalize(ChangeApplier.apply(ta, changes)))
          .as("case %d: %s -> %s via %s", i, ta, tb, changes).isEqualTo(ChangeApplier.normalize(tb));
      assertThat(normalized(differ.diff(a, b))).as("case %d: maps and trees diff alike", i).isEqualTo(normalized(changes));
    }
  }

  @Test
  void identityKeyedLists_applyBackRegardlessOfOrder() {
    ChangeDiffer keyed = ChangeDiffer.builder().rules(DiffRules.builder().identityKey("items", "id").build()).build();
    Random r = new Random(99L);
    for (int i = 0; i < CASES; i++) {
      List<Map<String, Object>> items = new ArrayList<>();
      for (int id = 0; id < r.nextInt(6); id++) {
        items.add(new LinkedHashMap<>(Map.of("id", id * 7, "qty", r.nextInt(3), "sku", "s" + r.nextInt(3))));
      }
      List<Map<String, Object>> after = new ArrayList<>();
      for (Map<String, Object> it : items) {
        if (r.nextInt(5) == 0) {
          continue; // removed
        }
        Map<String, Object> copy = new LinkedHashMap<>(it);
        if (r.nextBoolean()) {
          copy.put("qty", r.nextInt(3));
        }
        after.add(copy);
      }
      if (r.nextBoolean()) {
        after.add(new LinkedHashMap<>(Map.of("id", 100 + i, "qty", 1, "sku", "new")));
      }
      Collections.shuffle(after, r);
      Map<String, Object> a = Map.of("items", items);
      Map<String, Object> b = Map.of("items", after);
      List<FieldChange> changes = keyed.diff(a, b);
      assertThat(changes).as("case %d", i).allSatisfy(c -> assertThat(c.path()).matches("items\\[id=\\d+\\](\\.(qty|sku))?"));
      JsonNode patched = ChangeApplier.apply(tree(a), changes);
      assertThat(sortedById(patched.get("items"))).as("case %d via %s", i, changes).isEqualTo(sortedById(tree(b).get("items")));
    }
  }

  public record Order(String id, String customer, long quantity, BigDecimal total, Instant placedAt, List<String> tags,
      Map<String, Object> attributes, Address address, Status status) {}

  public record Address(String street, String city) {}

  public enum Status { OPEN, PAID, SHIPPED }

  static Order order(Random r) {
    return new Order("o-" + r.nextInt(3), WORDS[r.nextInt(3)], r.nextInt(3), BigDecimal.valueOf(r.nextInt(300), r.nextInt(3)),
        Instant.ofEpochSecond(1_700_000_000L + r.nextInt(3)), r.nextBoolean() ? List.of("a", "b") : List.of("a"),
        r.nextBoolean() ? map(r, 2) : Map.of(), r.nextInt(4) == 0 ? null : new Address("Main " + r.nextInt(2), "Orlando"),
        Status.values()[r.nextInt(3)]);
  }

  @Test
  void beansDiffLikeTheirJacksonTrees() {
    Random r = new Random(5L);
    for (int i = 0; i < CASES; i++) {
      Order a = order(r);
      Order b = order(r);
      assertThat(differ.diff(a, a)).isEmpty();
      List<FieldChange> fromBeans = differ.diff(a, b);
      List<FieldChange> fromTrees = differ.diff(tree(a), tree(b));
      assertThat(normalized(fromBeans)).as("case %d: %s vs %s", i, a, b).isEqualTo(normalized(fromTrees));
      assertThat(ChangeApplier.normalize(ChangeApplier.apply(tree(a), fromBeans))).isEqualTo(ChangeApplier.normalize(tree(b)));
      assertThat(ChangeApplier.normalize(differ.snapshot("Order", a))).isEqualTo(ChangeApplier.normalize(tree(a)));
    }
  }

  private static List<String> normalized(List<FieldChange> changes) {
    List<String> out = new ArrayList<>();
    for (FieldChange c : changes) {
      out.add(c.path() + ": " + ChangeApplier.normalize(c.from()) + " -> " + ChangeApplier.normalize(c.to()));
    }
    Collections.sort(out);
    return out;
  }

  private static List<String> sortedById(JsonNode items) {
    List<String> out = new ArrayList<>();
    items.forEach(n -> out.add(ChangeApplier.normalize(n).toString()));
    out.sort(Comparator.naturalOrder());
    return out;
  }
}
