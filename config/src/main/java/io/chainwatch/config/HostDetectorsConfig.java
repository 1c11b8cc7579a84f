package io.chainwatch.config;

import java.time.Duration;
import java.util.Objects;

/**
 * What the detectors that read the node probe's reports, and the deployment doctor, know about the cluster when it is
 * pinned rather than discovered. Whether each runs is its {@code detectors.<id>.enabled}
 * ({@code ChainwatchConfig.value}).
 *
 * @param routingMode {@code auto} (read cilium-config), {@code native} or {@code tunnel}
 * @param probeHeartbeat the probe's heartbeat; a report older than three of them is silent
 * @param baseCni {@code auto}, {@code global-router} or {@code vpc-cni}
 */
public record HostDetectorsConfig(String routingMode, Duration probeHeartbeat, String baseCni) {
  public HostDetectorsConfig {
    Objects.requireNonNull(baseCni, "baseCni");
    Objects.requireNonNull(routingMode, "routingMode");
    Objects.requireNonNull(probeHeartbeat, "probeHeartbeat");
  }
}
