package io.chainwatch.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Min, median and max of repeated runs, and percentiles of latency samples. */
record Stats(double min, double median, double max) {
  static Stats of(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return new Stats(sorted.get(0), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
  }

  static double percentile(List<Double> samples, double p) {
    if (samples.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(samples);
    Collections.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  String format(String pattern) {
    return String.format(pattern + " (min " + pattern + ", max " + pattern + ")", median, min, max);
  }
}
