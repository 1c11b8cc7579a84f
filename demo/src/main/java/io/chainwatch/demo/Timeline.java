package io.chainwatch.demo;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;

/** Prints what happens, each line stamped with the seconds since the demo began. */
final class Timeline {
  private final PrintStream out;
  private final Instant start = Instant.now();

  Timeline(PrintStream out) {
    this.out = out;
  }

  synchronized void say(String actor, String text) {
    double seconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
    out.printf("  +%5.1fs  %-10s %s%n", seconds, actor, text);
    out.flush();
  }

  synchronized void line(String text) {
    out.println(text);
    out.flush();
  }
}
