package io.chainwatch.bench;

import java.lang.management.ManagementFactory;

/** Heap in use after full collections: the retained size of what the measured code keeps. */
final class Heap {
  private Heap() {}

  static long usedAfterGc() {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
