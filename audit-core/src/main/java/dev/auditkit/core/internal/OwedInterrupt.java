package dev.auditkit.core.internal;

/**
 * Keeps a thread's interrupt away from file I/O. Java closes a {@code FileChannel} for every thread
 * when a thread doing I/O on it is interrupted, so one caller with its flag set (a cancelled task)
 * would close the journal's files under all the others. The journal's entry points put the flag
 * aside ({@link #setAside()}) and give it back on return ({@link #giveBack}); an interrupt that
 * arrives meanwhile and closes a file is cleared where it is met ({@link #owe()}), the step is done
 * again through a new descriptor, and the interrupt is given back too.
 */
final class OwedInterrupt {
  /** An interrupt met and cleared on this thread since its entry point set the flag aside. */
  private static final ThreadLocal<Boolean> OWED = new ThreadLocal<>();

  private OwedInterrupt() {}

  /** Clears the calling thread's interrupt flag; whether it was set (for {@link #giveBack}). */
  static boolean setAside() {
    return Thread.interrupted();
  }

  /** Clears the thread's interrupt flag, remembering it for {@link #giveBack}. */
  static void owe() {
    if (Thread.interrupted()) {
      OWED.set(Boolean.TRUE);
    }
  }

  /** Sets the flag again if it was set on entry ({@code had}) or cleared by {@link #owe} meanwhile. */
  static void giveBack(boolean had) {
    boolean owed = OWED.get() != null;
    if (owed) {
      OWED.remove();
    }
    if (had || owed) {
      Thread.currentThread().interrupt();
    }
  }
}
