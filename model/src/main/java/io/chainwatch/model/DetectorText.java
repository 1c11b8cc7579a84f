package io.chainwatch.model;

import java.util.Objects;

/**
 * What a person reads for a detector's incidents: a title and the runbook step from the field reports.
 *
 * @param title a few words naming the problem
 * @param runbook what to do, or empty when there is nothing beyond the finding's own summary
 * @param fleetDimension the node fact that explains its findings across clusters (the cause fingerprint's third part)
 */
public record DetectorText(String title, String runbook, FleetDimension fleetDimension) {
  public DetectorText {
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(runbook, "runbook");
    Objects.requireNonNull(fleetDimension, "fleetDimension");
  }

  /** A detector whose findings are explained, across clusters, by the Cilium version. */
  public DetectorText(String title, String runbook) {
    this(title, runbook, FleetDimension.CILIUM_VERSION);
  }
}
