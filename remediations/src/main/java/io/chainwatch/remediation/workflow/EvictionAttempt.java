package io.chainwatch.remediation.workflow;

import io.chainwatch.model.Finding;
import io.chainwatch.remediation.policy.EvictionRecord;
import io.chainwatch.remediation.policy.RemediationTarget;

/**
 * One eviction on its way: the finding, the pod as it was judged, the record written for it and, for a retry after a
 * budget refused, the record it replaced.
 *
 * @param previous the refused record a retry replaces, {@code null} for a first attempt
 */
public record EvictionAttempt(Finding finding, RemediationTarget target, EvictionRecord record,
    EvictionRecord previous) {
  boolean retry() {
    return previous != null;
  }
}
