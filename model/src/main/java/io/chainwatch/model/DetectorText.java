package io.chainwatch.model;

import java.util.Objects;

/**
 * What a person reads for a detector's incidents: a title and the runbook step from the field reports.
 *
 * @param title a few words naming the problem
 * @param runbook what to do, or empty when there is nothing beyond the finding's own summary
 */
public record DetectorText(String title, String runbook) {
  public DetectorText {
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(runbook, "runbook");
  }
}
