package dev.auditkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditkit.core.AuditEvent;
import dev.auditkit.core.UnshippedEventsException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Close's report names the oldest unshipped events, whichever place each waited in. */
class CloseReportTest {

  private static QueuedEvent accepted(long at) {
    return new QueuedEvent(AuditEvent.builder().action("job.viewed").resource("job", "j-" + at).build(), null, at);
  }

  @Test
  void namesTheOldestHundred_oldestFirst_inWhateverOrderTheyAreAdded() {
    List<QueuedEvent> all = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      all.add(accepted(1_000_000 + i * 7L));
    }
    List<QueuedEvent> shuffled = new ArrayList<>(all);
    Collections.shuffle(shuffled, new Random(42));
    CloseReport report = new CloseReport();
    // like close: events refused and set aside (newer) are added before older ones from a replay
    for (QueuedEvent i : shuffled.subList(0, 600)) {
      report.add(i);
    }
    for (QueuedEvent i : shuffled.subList(600, 1_000)) {
      report.name(i.acceptedAt(), i.event().id());
    }
    List<UUID> expected = all.stream().sorted(Comparator.comparingLong(QueuedEvent::acceptedAt)).limit(100)
        .map(i -> i.event().id()).toList();
    assertThat(report.ids()).containsExactlyElementsOf(expected);
  }

  /** Refused events are refused in no particular order: an older one refused after 100 newer ones is named. */
  @Test
  void refusedEventsKeptInTheJournal_nameTheirOldest_notTheirFirst() {
    RefusedInJournal refused = new RefusedInJournal();
    for (int i = 0; i < 100; i++) {
      refused.add(inSegment(1_000 + i)); // fresh events refused first
    }
    QueuedEvent older = inSegment(5); // a replayed (older) event refused later
    refused.add(older);
    CloseReport report = new CloseReport();
    refused.reportIds(report);
    assertThat(report.ids()).hasSize(100).startsWith(older.event().id());
  }

  private static QueuedEvent inSegment(long at) {
    JournalSegment seg = new JournalSegment(Path.of("segment-x.journal"), 0, null, 0, 1, false, n -> { });
    return new QueuedEvent(AuditEvent.builder().action("job.viewed").resource("job", "j-" + at).build(), seg, at);
  }

  /** close may see an event in two places while the writer moves it between them: it is named once. */
  @Test
  void anEventNamedTwice_isNamedOnce() {
    CloseReport report = new CloseReport();
    QueuedEvent moving = accepted(10);
    report.add(moving);
    for (int i = 0; i < 150; i++) {
      report.add(accepted(20 + i));
    }
    report.add(moving);
    assertThat(report.ids()).hasSize(100).doesNotHaveDuplicates().startsWith(moving.event().id());
  }

  @Test
  void eventsAcceptedInTheSameMillisecond_keepTheOrderTheyWereNamedIn() {
    CloseReport report = new CloseReport();
    List<UUID> named = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      UUID id = UUID.randomUUID();
      named.add(id);
      report.name(5L, id);
    }
    assertThat(report.ids()).containsExactlyElementsOf(named.subList(0, 100));
  }

  @Test
  void nothingUnshipped_isNoReport_andMemoryOnlyEventsAreNotClaimedKept() {
    CloseReport report = new CloseReport();
    QueuedEvent inMemory = accepted(1);
    report.add(inMemory);
    assertThat(report.exception(0, true, null)).isNull();
    UnshippedEventsException e = report.exception(1, true, null);
    assertThat(e.retainedInJournal()).isFalse();
    assertThat(e.oldestIds()).containsExactly(inMemory.event().id());
    assertThat(e.getMessage()).contains("they are LOST (held in memory only").doesNotContain("those in the journal");
    assertThat(report.exception(1, false, null).getMessage()).contains("LOST (no journal)");
  }
}
