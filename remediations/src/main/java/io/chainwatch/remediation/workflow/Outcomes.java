package io.chainwatch.remediation.workflow;

import io.chainwatch.model.Finding;
import io.chainwatch.model.RemediationOutcome;
import java.time.Instant;
import java.util.Map;

/** Builds outcomes the same way for every workflow: the mode goes with each. */
final class Outcomes {
  private Outcomes() {}

  static Effect.PublishOutcome publish(Finding finding, RemediationOutcome.Result result, String detail,
      Map<String, Object> evidence, String mode, Instant now) {
    evidence.put("mode", mode);
    return new Effect.PublishOutcome(new RemediationOutcome(finding, result, detail, evidence, now));
  }
}
