package dev.auditkit.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class PrefetchTest {

  @Test
  void keepsOrderAndEveryElement() {
    try (Stream<Integer> s = Prefetch.of(IntStream.range(0, 10_000).boxed(), 4, "t")) {
      assertThat(s.collect(Collectors.toList())).isEqualTo(IntStream.range(0, 10_000).boxed().toList());
    }
    try (Stream<Integer> s = Prefetch.of(Stream.<Integer>empty(), 4, "t")) {
      assertThat(s.count()).isZero();
    }
  }

  @Test
  void aSourceErrorReachesTheConsumerAfterTheElementsBeforeIt() {
    Iterator<Integer> failing = new Iterator<>() {
      int i;

      @Override
      public boolean hasNext() {
        if (i == 300) {
          throw new IllegalStateException("connection lost");
        }
        return true;
      }

      @Override
      public Integer next() {
        return i++;
      }
    };
    AtomicInteger seen = new AtomicInteger();
    Stream<Integer> source = java.util.stream.StreamSupport.stream(
        java.util.Spliterators.spliteratorUnknownSize(failing, java.util.Spliterator.ORDERED), false);
    try (Stream<Integer> s = Prefetch.of(source, 4, "t")) {
      assertThatThrownBy(() -> s.forEach(x -> assertThat(x).isEqualTo(seen.getAndIncrement())))
          .isInstanceOf(IllegalStateException.class).hasMessage("connection lost");
    }
    assertThat(seen.get()).isEqualTo(300);
  }

  @Test
  void aSourceErrorIsThrownAgainOnEveryLaterCall_neverAsACleanEnd() {
    Stream<Integer> source = Stream.of(1, 2, 3).map(x -> {
      if (x == 3) {
        throw new IllegalStateException("broken row");
      }
      return x;
    });
    try (Stream<Integer> s = Prefetch.of(source, 2, "t")) {
      Iterator<Integer> it = s.iterator();
      assertThat(it.next()).isEqualTo(1);
      assertThat(it.next()).isEqualTo(2);
      assertThatThrownBy(it::hasNext).hasMessage("broken row");
      assertThatThrownBy(it::hasNext).hasMessage("broken row");
    }
  }

  @Test
  void theReaderClosesTheSourceItselfOnceItIsDone_evenIfTheStreamIsNeverClosed() throws Exception {
    AtomicBoolean sourceClosed = new AtomicBoolean();
    Stream<Integer> s = Prefetch.of(Stream.of(1, 2, 3).onClose(() -> sourceClosed.set(true)), 2, "t");
    assertThat(s.collect(Collectors.toList())).containsExactly(1, 2, 3);
    for (int i = 0; i < 100 && !sourceClosed.get(); i++) {
      Thread.sleep(10);
    }
    assertThat(sourceClosed).as("the connection goes back as soon as the rows are read").isTrue();
  }

  @Test
  void anInterruptedConsumerStillWaitsForTheReaderBeforeTheSourceCloses() throws Exception {
    AtomicBoolean sourceClosed = new AtomicBoolean();
    AtomicBoolean readerBusy = new AtomicBoolean();
    Stream<Integer> slow = Stream.generate(() -> {
      readerBusy.set(true);
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        throw new AssertionError("the reader must never be interrupted");
      }
      readerBusy.set(false);
      return 1;
    }).onClose(() -> {
      assertThat(readerBusy).as("closed under a busy reader").isFalse();
      sourceClosed.set(true);
    });
    Stream<Integer> s = Prefetch.of(slow, 2, "t");
    s.iterator().next();
    Thread.currentThread().interrupt();
    s.close();
    assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
    assertThat(sourceClosed).isTrue();
  }

  @Test
  void closingEarlyStopsTheReaderBeforeClosingTheSource() throws Exception {
    AtomicBoolean sourceClosed = new AtomicBoolean();
    AtomicInteger produced = new AtomicInteger();
    Stream<Integer> endless = Stream.generate(produced::incrementAndGet).onClose(() -> sourceClosed.set(true));
    Stream<Integer> s = Prefetch.of(endless, 2, "prefetch-test-reader");
    assertThat(s.limit(10).collect(Collectors.toList())).hasSize(10);
    s.close();
    assertThat(sourceClosed).isTrue();
    int after = produced.get();
    Thread.sleep(50);
    assertThat(produced.get()).as("the reader stopped").isEqualTo(after);
    assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName).filter("prefetch-test-reader"::equals)
        .collect(Collectors.toList())).isEmpty();
    assertThat(after).as("bounded read-ahead").isLessThanOrEqualTo(5 * 256);
  }

  @Test
  void readAheadIsBounded() throws Exception {
    AtomicInteger produced = new AtomicInteger();
    try (Stream<Integer> s = Prefetch.of(Stream.generate(produced::incrementAndGet), 2, "t")) {
      Iterator<Integer> it = s.iterator();
      it.next();
      Thread.sleep(100);
      assertThat(produced.get()).as("2 chunks ahead + the end slot + one being filled + one consumed").isLessThanOrEqualTo(5 * 256);
      assertThat(List.of(it.next(), it.next())).containsExactly(2, 3);
    }
  }
}
