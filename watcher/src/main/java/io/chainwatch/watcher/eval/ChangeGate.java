package io.chainwatch.watcher.eval;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the cluster changes in flight from informer threads to the evaluator. A change that does not fit is dropped
 * and counted; the view already holds its data, so a catch-up sweep (requested here) restores every verdict.
 */
public final class ChangeGate {
  private final int capacity;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong released = new AtomicLong();
  private final AtomicBoolean sweepNeeded = new AtomicBoolean();

  public ChangeGate(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
    }
    this.capacity = capacity;
  }

  /** Reserves room for one change; false (and counted) when full. */
  public boolean tryAcquire() {
    if (inFlight.incrementAndGet() > capacity) {
      inFlight.decrementAndGet();
      dropped.incrementAndGet();
      sweepNeeded.set(true);
      return false;
    }
    return true;
  }

  /** The evaluator took one change off the bus. */
  public void release() {
    inFlight.decrementAndGet();
    released.incrementAndGet();
  }

  /** Changes the evaluator has taken off the bus since start. */
  public long processed() {
    return released.get();
  }

  /** True once after a drop: the caller owes a sweep. */
  public boolean takeSweepRequest() {
    return sweepNeeded.getAndSet(false);
  }

  public int inFlight() {
    return inFlight.get();
  }

  public long dropped() {
    return dropped.get();
  }

  public int capacity() {
    return capacity;
  }
}
