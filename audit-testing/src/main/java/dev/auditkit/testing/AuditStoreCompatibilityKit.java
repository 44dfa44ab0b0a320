package dev.auditkit.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditkit.core.Actor;
import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.AuditLimits;
import dev.auditkit.core.AuditSink;
import dev.auditkit.core.EventKind;
import dev.auditkit.core.FieldChange;
import dev.auditkit.core.Outcome;
import dev.auditkit.core.RequestInfo;
import dev.auditkit.core.Resource;
import dev.auditkit.core.SourceInfo;
import dev.auditkit.core.internal.Json;
import dev.auditkit.testing.internal.CanonicalEvents;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link AuditSink} that stores events passes: writes, idempotency by event id,
 * order, exact round trips of every field, and bad input. Extend it in a few lines:
 *
 * <pre>{@code
 * class MyStoreCompatibilityTest extends AuditStoreCompatibilityKit<MyStore> {
 *   protected MyStore createStore() { return new MyStore(...); }
 *   protected List<AuditEvent> readAll(MyStore s) { return s.allInStoreOrder(); }
 *   protected Optional<AuditEvent> findById(MyStore s, UUID id) { return s.find(id); }
 * }
 * }</pre>
 *
 * <p>"Exact" means every string, time and JSON key comes back identical; JSON numbers compare by
 * value, because databases do not keep Jackson's node types (a Java long may come back as an int).
 */
public abstract class AuditStoreCompatibilityKit<S extends AuditSink> {
  /**
   * The order stores return events in: by time, then by id compared as an unsigned 128-bit number
   * (the order of PostgreSQL's and H2's {@code uuid} types).
   */
  public static final Comparator<AuditEvent> STORE_ORDER = Comparator.comparing(AuditEvent::occurredAt)
      .thenComparing(AuditEvent::id, AuditStoreCompatibilityKit::compareUnsigned);

  private static final Instant T0 = Instant.parse("2026-03-14T15:09:26.535897Z");

  /** The store under test, made fresh for each test. */
  protected S store;

  /** A new, empty store. */
  protected abstract S createStore() throws Exception;

  /** Every event the store holds, in {@link #STORE_ORDER}. */
  protected abstract List<AuditEvent> readAll(S store) throws Exception;

  /** The event with this id, if the store holds it. */
  protected abstract Optional<AuditEvent> findById(S store, UUID id) throws Exception;

  /** Releases the store (and whatever {@link #createStore()} opened for it). */
  protected void closeStore(S store) throws Exception {
    store.close();
  }

  @BeforeEach
  final void openStoreUnderTest() throws Exception {
    store = createStore();
  }

  @AfterEach
  final void closeStoreUnderTest() throws Exception {
    if (store != null) {
      closeStore(store);
    }
  }

  // ---------------------------------------------------------------- writing

  @Test
  void write_thenRead_returnsTheEvent() throws Exception {
    AuditEvent e = event("job.created").build();
    store.write(List.of(e));
    assertSameEvents(readAll(store), List.of(e));
    assertSame(findById(store, e.id()).orElseThrow(), e);
  }

  @Test
  void findById_unknownId_isEmpty() throws Exception {
    store.write(List.of(event("job.created").build()));
    assertThat(findById(store, UUID.randomUUID())).isEmpty();
  }

  @Test
  void write_emptyBatch_storesNothing() throws Exception {
    store.write(List.of());
    assertThat(readAll(store)).isEmpty();
  }

  @Test
  void write_manyBatches_keepsEveryEvent() throws Exception {
    List<AuditEvent> all = new ArrayList<>();
    for (int b = 0; b < 12; b++) {
      List<AuditEvent> batch = new ArrayList<>();
      for (int i = 0; i < 97; i++) {
        batch.add(event("job.updated").occurredAt(T0.plusSeconds(b * 1000L + i)).resource("job", b + "-" + i).build());
      }
      store.write(batch);
      all.addAll(batch);
    }
    assertSameEvents(readAll(store), sorted(all));
  }

  // ---------------------------------------------------------------- idempotency

  @Test
  void write_sameBatchTwice_storesEachEventOnce() throws Exception {
    List<AuditEvent> batch = IntStream.range(0, 25)
        .mapToObj(i -> event("job.updated").occurredAt(T0.plusMillis(i)).build()).collect(Collectors.toList());
    store.write(batch);
    store.write(batch);
    assertSameEvents(readAll(store), sorted(batch));
  }

  @Test
  void write_replayOverlappingBatch_addsOnlyTheNewEvents() throws Exception {
    List<AuditEvent> first = IntStream.range(0, 10)
        .mapToObj(i -> event("job.updated").occurredAt(T0.plusMillis(i)).build()).collect(Collectors.toList());
    List<AuditEvent> second = new ArrayList<>(first.subList(5, 10));
    for (int i = 10; i < 15; i++) {
      second.add(event("job.updated").occurredAt(T0.plusMillis(i)).build());
    }
    store.write(first);
    store.write(second);
    List<AuditEvent> expected = new ArrayList<>(first);
    expected.addAll(second.subList(5, 10));
    assertSameEvents(readAll(store), sorted(expected));
  }

  @Test
  void write_duplicateIdWithinOneBatch_storesItOnce() throws Exception {
    AuditEvent e = event("job.updated").build();
    AuditEvent other = event("job.updated").build();
    store.write(List.of(e, other, e));
    assertSameEvents(readAll(store), sorted(List.of(e, other)));
  }

  @Test
  void write_sameIdWithOtherContent_keepsTheFirstVersion() throws Exception {
    AuditEvent first = event("job.updated").metadata("attempt", 1).build();
    AuditEvent replay = first.toBuilder().action("job.replayed").metadata("attempt", 2).build();
    store.write(List.of(first));
    store.write(List.of(replay));
    assertSameEvents(readAll(store), List.of(first));
  }

  @Test
  void write_concurrentWritersWithOverlappingBatches_storeEveryEventOnce() throws Exception {
    List<AuditEvent> all = IntStream.range(0, 400)
        .mapToObj(i -> event("job.updated").occurredAt(T0.plusMillis(i)).resource("job", "j" + i).build())
        .collect(Collectors.toList());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Void>> writers = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int seed = w;
        writers.add(() -> {
          // each writer writes every event, in its own shuffled order and batch sizes
          List<AuditEvent> mine = new ArrayList<>(all);
          Collections.shuffle(mine, new Random(seed));
          for (int i = 0; i < mine.size(); i += 37 + seed) {
            store.write(mine.subList(i, Math.min(mine.size(), i + 37 + seed)));
          }
          return null;
        });
      }
      for (Future<Void> f : pool.invokeAll(writers)) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertSameEvents(readAll(store), sorted(all));
  }

  // ---------------------------------------------------------------- order

  @Test
  void readAll_ordersByTimeThenUnsignedId() throws Exception {
    Instant t = T0;
    List<AuditEvent> events = new ArrayList<>();
    for (String id : List.of("ffffffff-0000-7000-8000-000000000000", "00000000-0000-7000-8000-000000000001",
        "7fffffff-ffff-7fff-bfff-ffffffffffff", "80000000-0000-7000-8000-000000000000")) {
      events.add(event("job.updated").id(UUID.fromString(id)).occurredAt(t).build());
    }
    events.add(event("job.updated").occurredAt(t.minusNanos(1000)).build());
    events.add(event("job.updated").occurredAt(t.plusNanos(1000)).build());
    events.add(event("job.updated").occurredAt(t.minusSeconds(86_400L * 400)).build());
    List<AuditEvent> shuffled = new ArrayList<>(events);
    Collections.shuffle(shuffled, new Random(7));
    store.write(shuffled.subList(0, 3));
    store.write(shuffled.subList(3, shuffled.size()));

    List<AuditEvent> read = readAll(store);
    assertThat(read).extracting(AuditEvent::id).containsExactlyElementsOf(
        sorted(events).stream().map(AuditEvent::id).collect(Collectors.toList()));
    assertThat(read.subList(2, 6)).extracting(e -> e.id().toString()).containsExactly(
        "00000000-0000-7000-8000-000000000001", "7fffffff-ffff-7fff-bfff-ffffffffffff",
        "80000000-0000-7000-8000-000000000000", "ffffffff-0000-7000-8000-000000000000");
  }

  // ---------------------------------------------------------------- round trips

  @Test
  void everyField_roundTripsExactly() throws Exception {
    ObjectNode before = Json.nodes().objectNode().put("status", "SCHEDULED").put("price", new BigDecimal("120.50"));
    before.putObject("crew").putArray("workers").add("w-1").add("w-2");
    ObjectNode after = before.deepCopy().put("status", "COMPLETED_PENDING_APPROVAL");
    AuditEvent e = AuditEvent.builder()
        .occurredAt(Instant.parse("2026-05-06T07:08:09.123456Z"))
        .tenantId("org-17")
        .actor(Actor.user("u-42").role("admin").email("a@x.io").org("acme").extraId("workerId", "w-7")
            .extraId("crewId", "c-3"))
        .action("JOB_STATUS_CHANGED").kind(EventKind.TRANSITION).outcome(Outcome.DENIED)
        .resource(Resource.of("Job", "job-991").label("Job #991 (roof)"))
        .fromState("SCHEDULED").toState("COMPLETED_PENDING_APPROVAL")
        .addChange(FieldChange.of("status", JsonNodeFactory.instance.textNode("SCHEDULED"),
            JsonNodeFactory.instance.textNode("COMPLETED_PENDING_APPROVAL")))
        .addChange(FieldChange.of("approvedBy", null, JsonNodeFactory.instance.textNode("u-42")))
        .oldValue(before).newValue(after)
        .metadata(Map.of("apiRoute", "admin/jobs", "attempt", 3, "flags", List.of(true, false)))
        .request(RequestInfo.builder().ip("2001:db8::7").userAgent("Mozilla/5.0 (X11)").method("POST")
            .path("/api/admin/jobs/991/complete").requestId("req-1").build())
        .source(SourceInfo.of("jobs-app", "4.2.0", "web-3"))
        .build();
    store.write(List.of(e));
    assertSame(findById(store, e.id()).orElseThrow(), e);
  }

  @Test
  void ipv4Address_roundTrips() throws Exception {
    AuditEvent e = event("login").ipAddress("203.0.113.9").build();
    store.write(List.of(e));
    assertThat(findById(store, e.id()).orElseThrow().request().ip()).isEqualTo("203.0.113.9");
  }

  @Test
  void nullOptionals_roundTripAsAbsent() throws Exception {
    AuditEvent minimal = AuditEvent.builder().action("ping").resource("health", null).build();
    store.write(List.of(minimal));
    AuditEvent back = findById(store, minimal.id()).orElseThrow();
    assertSame(back, minimal);
    assertThat(back.tenantId()).isNull();
    assertThat(back.resource().id()).isNull();
    assertThat(back.resource().label()).isNull();
    assertThat(back.actor().role()).isNull();
    assertThat(back.actor().extraIds()).isEmpty();
    assertThat(back.fromState()).isNull();
    assertThat(back.oldValue()).isNull();
    assertThat(back.newValue()).isNull();
    assertThat(back.changes()).isEmpty();
    assertThat(back.metadata().isEmpty()).isTrue();
    assertThat(back.request().isEmpty()).isTrue();
    assertThat(back.source().isEmpty()).isTrue();
  }

  @Test
  void jsonNullSnapshot_staysDistinctFromAbsent() throws Exception {
    AuditEvent e = event("job.deleted").oldValue(NullNode.getInstance()).build();
    store.write(List.of(e));
    AuditEvent back = findById(store, e.id()).orElseThrow();
    assertThat(back.oldValue()).isEqualTo(NullNode.getInstance());
    assertThat(back.newValue()).isNull();
  }

  @Test
  void microsecondTimes_roundTripExactly() throws Exception {
    int nextYear = LocalDate.now(ZoneOffset.UTC).getYear() + 1;
    List<Instant> times = List.of(
        Instant.parse("2019-02-03T04:05:06.000001Z"),
        Instant.parse("2019-12-31T23:59:59.999999Z"),
        Instant.parse(nextYear + "-01-01T00:00:00Z"),
        Instant.parse(nextYear + "-07-15T12:00:00.500000Z"),
        Instant.parse("1999-12-31T23:59:59.999999Z"),
        Instant.parse("2070-06-30T00:00:00.000007Z"),
        T0);
    List<AuditEvent> events = times.stream().map(t -> event("job.updated").occurredAt(t).build())
        .collect(Collectors.toList());
    store.write(events);
    assertSameEvents(readAll(store), sorted(events));
    for (AuditEvent e : events) {
      assertThat(findById(store, e.id()).orElseThrow().occurredAt()).isEqualTo(e.occurredAt());
    }
  }

  @Test
  void nanosecondTimes_areStoredTruncatedToMicroseconds() throws Exception {
    AuditEvent e = event("job.updated").occurredAt(Instant.parse("2026-01-01T00:00:00.123456789Z")).build();
    store.write(List.of(e));
    assertThat(findById(store, e.id()).orElseThrow().occurredAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00.123456Z"));
  }

  @Test
  void unicodeAndEmoji_roundTripInEveryStringField() throws Exception {
    String s = "Zoë 日本語 עברית 😀👩‍👩‍👧 e\u0301 \uD834\uDD1E";
    AuditEvent e = AuditEvent.builder()
        .tenantId("tenant-" + s)
        .actor(Actor.user("user-" + s).role("rôle-" + s).email("ünï@例え.jp").org("org-" + s).extraId("wörker-😀", s))
        .action("job.renamed")
        .resource(Resource.of("Jöb-😀", "id-" + s).label(s))
        .fromState("ÉTAT-" + s).toState("状態")
        .addChange(FieldChange.of("név.😀", JsonNodeFactory.instance.textNode(s), JsonNodeFactory.instance.textNode("")))
        .oldValue(Map.of("clé-😀", s)).newValue(Map.of("clé-😀", s + "!"))
        .metadata(Map.of("😀", s, "multi\nline", "tab\there\r\nand newline"))
        .request(RequestInfo.builder().userAgent("UA " + s).method("PÖST").path("/pfad/😀/" + s).requestId("r-" + s).build())
        .source(SourceInfo.of("äpp", "1.0-ß", "höst"))
        .build();
    store.write(List.of(e));
    assertSame(findById(store, e.id()).orElseThrow(), e);
  }

  @Test
  void jsonValuesOfEveryType_roundTrip() throws Exception {
    ObjectNode m = Json.nodes().objectNode();
    m.put("long", Long.MAX_VALUE).put("negative", -42).put("zero", 0).put("decimal", new BigDecimal("12345678901234567890.123456789"))
        .put("double", 0.1).put("true", true).put("false", false).put("empty", "")
        .put("quotes", "she said \"hi\" \\ back\\slash").put("escapedNul", "\\u0000 is text here")
        .put("html", "<script>alert('x')</script>").putNull("nothing");
    m.putArray("array").add(1).add("two").addNull().addObject().put("deep", true);
    m.putObject("emptyObject");
    m.putArray("emptyArray");
    m.putObject("nested").putObject("deeper").putArray("deepest").add(new BigDecimal("-1.5E-7"));
    AuditEvent e = event("job.updated").metadata(m).newValue(m.deepCopy()).build();
    store.write(List.of(e));
    assertSame(findById(store, e.id()).orElseThrow(), e);
  }

  @Test
  void metadataOf64KiB_roundTripsWhole() throws Exception {
    ObjectNode m = Json.nodes().objectNode();
    StringBuilder big = new StringBuilder();
    while (big.length() < 20_000) {
      big.append("ünïcödé 😀 ");
    }
    m.put("a", big.toString());
    int room = AuditLimits.defaults().metadataBytes() - Json.bytes(m).length - 12;
    m.put("b", "x".repeat(room));
    int size = Json.bytes(m).length;
    assertThat(size).isBetween(AuditLimits.defaults().metadataBytes() - 16, AuditLimits.defaults().metadataBytes());
    AuditEvent e = event("job.updated").metadata(m).build();
    assertThat(e.metadata().has("a")).as("metadata under the cap must be kept, not replaced").isTrue();
    store.write(List.of(e));
    assertSame(findById(store, e.id()).orElseThrow(), e);
  }

  @Test
  void oversizedValues_areStoredAsTheirMarkersAndCutText() throws Exception {
    AuditEvent e = event("job.updated")
        .resource(Resource.of("job", "j-1").label("L".repeat(10_000)))
        .metadata(Map.of("huge", "h".repeat(100_000)))
        .build();
    assertThat(e.resource().label()).endsWith(AuditLimits.TRUNCATION_MARKER);
    assertThat(e.metadata().has(Json.OVERSIZE_KEY)).isTrue();
    store.write(List.of(e));
    assertSame(findById(store, e.id()).orElseThrow(), e);
  }

  // ---------------------------------------------------------------- bad input

  @Test
  void nulAndControlCharacters_areRemovedAndTheRestOfTheEventKept() throws Exception {
    String dirty = "a\u0000b\u0001c\u001bd\u007fe\u0085f";
    AuditEvent e = AuditEvent.builder()
        .tenantId("t" + dirty)
        .actor(Actor.user("u" + dirty).role("r" + dirty).extraId("k" + dirty, "v" + dirty))
        .action("job.updated")
        .resource(Resource.of("job" + dirty, "id" + dirty).label("label" + dirty))
        .fromState("A" + dirty).toState("B" + dirty)
        .addChange(FieldChange.of("path" + dirty, JsonNodeFactory.instance.textNode("x" + dirty), null))
        .oldValue(Map.of("k" + dirty, "v" + dirty))
        .metadata(Map.of("key\u0000" + dirty, "value" + dirty + "\ttab\nline"))
        .request(RequestInfo.builder().userAgent("ua" + dirty).path("/p" + dirty).requestId("rid" + dirty).build())
        .source(SourceInfo.of("app" + dirty, null, null))
        .build();
    String text = CanonicalEvents.text(e);
    assertThat(text).doesNotContain("\\u0000").doesNotContain("\u0000").contains("abcdef");
    assertThat(e.metadata().get("keyabcdef").asText()).isEqualTo("valueabcdef\ttab\nline");

    store.write(List.of(e));
    AuditEvent back = findById(store, e.id()).orElseThrow();
    assertSame(back, e);
    assertThat(back.tenantId()).isEqualTo("tabcdef");
    assertThat(back.resource().label()).isEqualTo("labelabcdef");
  }

  @Test
  void loneSurrogates_areReplacedAndStored() throws Exception {
    AuditEvent e = event("job.updated").tenantId("t\uD800x").metadata(Map.of("k", "v\uDC00w")).build();
    store.write(List.of(e));
    AuditEvent back = findById(store, e.id()).orElseThrow();
    assertSame(back, e);
    assertThat(back.tenantId()).isEqualTo("t\uFFFDx");
  }

  @Test
  void write_nullBatch_throwsNullPointerException() {
    assertThatThrownBy(() -> store.write(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void write_batchContainingNull_isRejectedWhole() throws Exception {
    AuditEvent ok = event("job.updated").build();
    assertThatThrownBy(() -> store.write(Arrays.asList(ok, null))).isInstanceOf(NullPointerException.class);
    assertThat(readAll(store)).isEmpty();
  }

  // ---------------------------------------------------------------- helpers

  /** A realistic event builder with the given action and a unique resource. */
  protected static AuditEvent.Builder event(String action) {
    return AuditEvent.builder()
        .tenantId("org-1")
        .actor(Actor.user("u-1").role("dispatcher"))
        .action(action)
        .kind(EventKind.UPDATE)
        .resource("job", UUID.randomUUID().toString());
  }

  /** Fails unless both events are equal in every field (numbers by value, JSON keys in any order). */
  protected static void assertSame(AuditEvent actual, AuditEvent expected) {
    assertThat(CanonicalEvents.text(actual)).isEqualTo(CanonicalEvents.text(expected));
  }

  /** Fails unless both lists hold the same events in the same order. */
  protected static void assertSameEvents(List<AuditEvent> actual, List<AuditEvent> expected) {
    assertThat(actual.stream().map(CanonicalEvents::text).collect(Collectors.toList()))
        .containsExactlyElementsOf(expected.stream().map(CanonicalEvents::text).collect(Collectors.toList()));
  }

  /** Distinct by id (first wins), in {@link #STORE_ORDER}. */
  protected static List<AuditEvent> sorted(List<AuditEvent> events) {
    Map<UUID, AuditEvent> distinct = new LinkedHashMap<>();
    events.forEach(e -> distinct.putIfAbsent(e.id(), e));
    List<AuditEvent> out = new ArrayList<>(distinct.values());
    out.sort(STORE_ORDER);
    return out;
  }

  private static int compareUnsigned(UUID a, UUID b) {
    int c = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
    return c != 0 ? c : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
  }
}
