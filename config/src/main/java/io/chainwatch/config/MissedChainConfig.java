package io.chainwatch.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the {@code missed-cilium-chain} detector (whether it runs: {@code ChainwatchConfig.value}).
 *
 * @param minPodAge how long a pod must have run before its missing endpoint counts
 * @param agentSettle how long the node's agent must have been Ready
 */
public record MissedChainConfig(Duration minPodAge, Duration agentSettle) {
  public MissedChainConfig {
    Objects.requireNonNull(minPodAge, "minPodAge");
    Objects.requireNonNull(agentSettle, "agentSettle");
  }
}
