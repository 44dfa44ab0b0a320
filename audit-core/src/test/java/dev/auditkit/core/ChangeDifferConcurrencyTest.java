package dev.auditkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** One shared ChangeDiffer (its per-class and per-rule caches filled lazily) used by many threads. */
class ChangeDifferConcurrencyTest {
  public record Item(int id, String sku, int qty) {}

  public record Basket(String owner, @AuditMasked String pin, List<Item> items, Map<String, Object> extra) {}

  @Test
  void sharedDiffer_givesTheSameResultsOnEveryThread() throws Exception {
    ChangeDiffer shared = ChangeDiffer.builder()
        .rules(DiffRules.builder().ignore("**.updatedAt").build())
        .rules("Basket", DiffRules.builder().identityKey("items", "id").only("items", "pin", "extra.*.v").build())
        .build();
    Random r = new Random(3L);
    List<Object[]> pairs = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      pairs.add(new Object[] {basket(r), basket(r), r.nextBoolean() ? "Basket" : "Other"});
    }
    ChangeDiffer reference = ChangeDiffer.builder()
        .rules(DiffRules.builder().ignore("**.updatedAt").build())
        .rules("Basket", DiffRules.builder().identityKey("items", "id").only("items", "pin", "extra.*.v").build())
        .build();
    List<List<FieldChange>> expected = new ArrayList<>();
    for (Object[] p : pairs) {
      expected.add(reference.diff((String) p[2], p[0], p[1]));
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int offset = t * 37;
        results.add(pool.submit(() -> {
          start.await();
          int checked = 0;
          for (int round = 0; round < 5; round++) {
            for (int i = 0; i < pairs.size(); i++) {
              int k = (i + offset) % pairs.size();
              Object[] p = pairs.get(k);
              assertThat(shared.diff((String) p[2], p[0], p[1])).isEqualTo(expected.get(k));
              checked++;
            }
          }
          return checked;
        }));
      }
      start.countDown();
      int total = 0;
      for (Future<Integer> f : results) {
        total += f.get();
      }
      assertThat(total).isEqualTo(8 * 5 * 300);
    } finally {
      pool.shutdownNow();
    }
    assertThat(expected.stream().filter(l -> !l.isEmpty()).count()).isGreaterThan(200);
  }

  private static Basket basket(Random r) {
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < r.nextInt(4); i++) {
      items.add(new Item(i, "s" + r.nextInt(2), r.nextInt(3)));
    }
    return new Basket("o" + r.nextInt(2), "p" + r.nextInt(2), items,
        Map.of("a", Map.of("v", r.nextInt(2), "w", r.nextInt(2)), "updatedAt", r.nextInt(5)));
  }
}
