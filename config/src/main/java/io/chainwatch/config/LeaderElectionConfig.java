package io.chainwatch.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Leader election with a Lease.
 *
 * @param enabled elect a leader; off, this replica always writes (run one replica)
 * @param namespace namespace of the Lease
 * @param leaseName name of the Lease
 * @param leaseDuration how long a lease lasts without renewal
 * @param renewDeadline a leader that could not renew for this long stops writing
 * @param retryPeriod how often the lease is renewed or tried
 */
public record LeaderElectionConfig(boolean enabled, String namespace, String leaseName, Duration leaseDuration,
    Duration renewDeadline, Duration retryPeriod) {
  public LeaderElectionConfig {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(leaseName, "leaseName");
    Objects.requireNonNull(leaseDuration, "leaseDuration");
    Objects.requireNonNull(renewDeadline, "renewDeadline");
    Objects.requireNonNull(retryPeriod, "retryPeriod");
  }
}
