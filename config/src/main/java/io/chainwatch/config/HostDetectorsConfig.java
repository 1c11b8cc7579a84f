package io.chainwatch.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the detectors that judge the node probe's reports.
 *
 * @param rpFilterEnabled run {@code rp-filter-reset}
 * @param routingMode {@code auto} (read cilium-config), {@code native} or {@code tunnel}
 * @param healthEnabled run {@code cilium-health-local-endpoint}
 * @param probeSilentEnabled run {@code probe-silent}
 * @param probeHeartbeat the probe's heartbeat; a report older than three of them is silent
 * @param doctorEnabled run the deployment doctor's configuration checks
 * @param baseCni {@code auto}, {@code global-router} or {@code vpc-cni}
 */
public record HostDetectorsConfig(boolean rpFilterEnabled, String routingMode, boolean healthEnabled,
    boolean probeSilentEnabled, Duration probeHeartbeat, boolean doctorEnabled, String baseCni) {
  public HostDetectorsConfig(boolean rpFilterEnabled, String routingMode, boolean healthEnabled,
      boolean probeSilentEnabled, Duration probeHeartbeat) {
    this(rpFilterEnabled, routingMode, healthEnabled, probeSilentEnabled, probeHeartbeat, true, "auto");
  }

  public HostDetectorsConfig {
    Objects.requireNonNull(baseCni, "baseCni");
    Objects.requireNonNull(routingMode, "routingMode");
    Objects.requireNonNull(probeHeartbeat, "probeHeartbeat");
  }
}
