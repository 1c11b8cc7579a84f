package io.chainwatch.remediation.action;

import java.util.Objects;

/**
 * What the API server answered to one eviction request.
 *
 * @param kind the class of answer
 * @param httpStatus the HTTP status, {@code 0} when no answer arrived
 * @param message the API server's message or the error, for evidence and pages
 * @param budget the PodDisruptionBudget named in a refusal, {@code null} when none was named
 */
public record EvictionResult(Kind kind, int httpStatus, String message, String budget) {
  public EvictionResult {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(message, "message");
  }

  /** The classes of answer the remediation distinguishes. */
  public enum Kind {
    /** 200/201: the pod will be deleted gracefully. */
    EVICTED,
    /** 404, or 409 on the UID precondition: that pod no longer exists. */
    GONE,
    /** 429: a PodDisruptionBudget does not allow the disruption now. */
    BUDGET_REFUSED,
    /** Anything else: forbidden, server error, timeout, no connection. */
    FAILED
  }
}
