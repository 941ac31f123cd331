package io.worldring.model.fuzz;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The property every parser must have on malformed input: it either accepts the input or throws the one
 * exception its callers handle (for files {@link io.worldring.model.BadInputException}) with a message naming
 * the input; never another exception (a NullPointerException, an index out of bounds, a
 * NegativeArraySizeException, an OutOfMemoryError), never a hang, never an allocation out of proportion to
 * the input (a hostile length field).
 */
public final class CleanFailure {
  /** Longer than any parse of a small input takes on a loaded two-core machine. */
  public static final Duration TIMEOUT = Duration.ofSeconds(30);

  private CleanFailure() {}

  /**
   * Runs {@code parse} on its own thread and returns what it threw, or null if it accepted the input.
   *
   * @param expected the only exception type allowed out
   * @param mustName text the message must contain (the file), or null where the input has no name
   * @param maxAllocatedBytes the most the parse may allocate on the Java heap
   * @throws AssertionError for another exception, a blank or unnamed message, a timeout, or too much allocation
   */
  public static <E extends Throwable> E check(Class<E> expected, String mustName, long maxAllocatedBytes, Callable<?> parse) {
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicLong allocated = new AtomicLong();
    Thread t = new Thread(() -> {
      com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long before = mx.getCurrentThreadAllocatedBytes();
      try {
        parse.call();
      } catch (Throwable e) { // the point is to see everything, errors included
        thrown.set(e);
      } finally {
        allocated.set(mx.getCurrentThreadAllocatedBytes() - before);
      }
    }, "fuzz-parse");
    t.setDaemon(true);
    t.start();
    try {
      t.join(TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    if (t.isAlive()) {
      StackTraceElement[] stack = t.getStackTrace();
      t.interrupt();
      throw new AssertionError("no answer within " + TIMEOUT + " (a hang?), at " + Arrays.toString(Arrays.copyOf(stack, Math.min(stack.length, 12))));
    }
    if (allocated.get() > maxAllocatedBytes) {
      throw new AssertionError("the parse allocated " + allocated.get() + " bytes, more than the " + maxAllocatedBytes
          + " allowed for this input" + (thrown.get() == null ? "" : " (then threw " + thrown.get() + ")"), thrown.get());
    }
    Throwable e = thrown.get();
    if (e == null) {
      return null;
    }
    if (!expected.isInstance(e)) {
      throw new AssertionError("a " + e.getClass().getName() + " escaped instead of a " + expected.getSimpleName() + ": " + e.getMessage(), e);
    }
    for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
      if (cause instanceof VirtualMachineError) { // Kryo's record serializer, say, wraps whatever it catches
        throw new AssertionError("a " + expected.getSimpleName() + " wrapping a " + cause.getClass().getName() + ": " + e.getMessage(), e);
      }
    }
    if (e.getMessage() == null || e.getMessage().isBlank()) {
      throw new AssertionError("a " + expected.getSimpleName() + " without a message", e);
    }
    if (mustName != null && !e.getMessage().contains(mustName)) {
      throw new AssertionError("the message does not name " + mustName + ": " + e.getMessage(), e);
    }
    return expected.cast(e);
  }

  /** As {@link #check}, for an input that must be refused: fails if the parser accepted it. */
  public static <E extends Throwable> E refused(Class<E> expected, String mustName, long maxAllocatedBytes, Callable<?> parse) {
    E e = check(expected, mustName, maxAllocatedBytes, parse);
    if (e == null) {
      throw new AssertionError("accepted an input that must be refused" + (mustName == null ? "" : ": " + mustName));
    }
    return e;
  }
}
