package io.chainwatch.watcher.detect;

import java.time.Duration;

/** Renders durations the way a person says them: {@code 40 s}, {@code 5 min 10 s}, {@code 2 h 5 min}, {@code 3 d 4 h}. */
final class Durations {
  private Durations() {}

  static String human(Duration duration) {
    long seconds = Math.max(0, duration.getSeconds());
    if (seconds < 60) {
      return seconds + " s";
    }
    long minutes = seconds / 60;
    if (minutes < 60) {
      long rest = seconds % 60;
      return rest == 0 ? minutes + " min" : minutes + " min " + rest + " s";
    }
    long hours = minutes / 60;
    if (hours < 24) {
      long rest = minutes % 60;
      return rest == 0 ? hours + " h" : hours + " h " + rest + " min";
    }
    long days = hours / 24;
    long rest = hours % 24;
    return rest == 0 ? days + " d" : days + " d " + rest + " h";
  }
}
