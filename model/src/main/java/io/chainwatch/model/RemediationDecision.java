package io.chainwatch.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A remediation decision about one finding, as published for the audit log and notifiers.
 *
 * @param finding the finding decided on
 * @param decision the decision and the rule that chose it
 * @param dryRun whether chainwatch runs in dry-run mode (an evict decision then leads to no write)
 * @param decidedAt when
 */
public record RemediationDecision(Finding finding, Decision decision, boolean dryRun, Instant decidedAt)
    implements BusMessage {
  public RemediationDecision {
    Objects.requireNonNull(finding, "finding");
    Objects.requireNonNull(decision, "decision");
    Objects.requireNonNull(decidedAt, "decidedAt");
  }
}
