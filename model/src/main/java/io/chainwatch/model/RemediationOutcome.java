package io.chainwatch.model;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What happened when chainwatch acted (or would have acted) on a finding.
 *
 * @param finding the finding acted on
 * @param result what happened
 * @param detail one sentence a person understands
 * @param evidence facts: HTTP status, budget name, replacement pod, times (JSON-ready values)
 * @param at when
 */
public record RemediationOutcome(
    Finding finding, Result result, String detail, Map<String, Object> evidence, Instant at) implements BusMessage {
  public RemediationOutcome {
    Objects.requireNonNull(finding, "finding");
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(at, "at");
    evidence = Collections.unmodifiableMap(new LinkedHashMap<>(evidence));
  }

  /** Whether a person must now act. */
  public boolean needsPerson() {
    return result.needsPerson;
  }

  /** The closed set of results. */
  public enum Result {
    /** The API server accepted the eviction (201). */
    EVICTED(false),
    /** Dry-run: everything but the write happened. */
    WOULD_EVICT(false),
    /** The replacement pod runs with its CiliumEndpoint. */
    VERIFIED(false),
    /** No healthy replacement within the verify timeout. */
    NOT_HELPED(true),
    /** The pod was already gone (404): nothing left to do. */
    GONE(false),
    /** A PodDisruptionBudget refused the eviction (429); it will be retried. */
    BUDGET_REFUSED(false),
    /** The eviction failed for another reason (RBAC, server error, timeout, state not saved). */
    FAILED(true),
    /** The repair request was written on the Node for its probe. */
    REPAIR_REQUESTED(false),
    /** Dry-run: the repair request would have been written. */
    WOULD_REPAIR(false),
    /** This replica may not write (not the leader, or its lease is past the renew deadline): no write was made. */
    NOT_LEADER(false);

    private final boolean needsPerson;

    Result(boolean needsPerson) {
      this.needsPerson = needsPerson;
    }

    /** Lower-case name used in audit records and logs. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }
}
