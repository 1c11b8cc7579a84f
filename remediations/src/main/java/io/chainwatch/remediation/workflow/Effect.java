package io.chainwatch.remediation.workflow;

import io.chainwatch.model.BreakerChange;
import io.chainwatch.model.Finding;
import io.chainwatch.model.RemediationOutcome;
import java.time.Instant;

/** What a workflow asks the verticle to do. Performed in order; their answers come back as workflow events. */
public sealed interface Effect {
  /** Publish an outcome on the bus. */
  record PublishOutcome(RemediationOutcome outcome) implements Effect {}

  /** Publish a breaker change on the bus. */
  record PublishBreaker(BreakerChange change) implements Effect {}

  /** Write the remediation state (coalesced with other writes). */
  record Save() implements Effect {}

  /**
   * Write the state holding this eviction's intent, then answer {@link EvictionWorkflow#intentSaved} or
   * {@link EvictionWorkflow#intentNotSaved}: the intent is in the cluster before the request, so a restart never
   * repeats it.
   */
  record SaveIntent(EvictionAttempt attempt) implements Effect {}

  /** Ask the API server to evict, then answer {@link EvictionWorkflow#answered}. */
  record Evict(EvictionAttempt attempt) implements Effect {}

  /** Write a repair request on the node (if this replica may write), then answer the repair workflow. */
  record WriteRepair(RepairAttempt attempt) implements Effect {}

  /** Decide on this finding again at {@code at} (a wait, a retry after a refusal, after losing the lease). */
  record DecideAt(Finding finding, Instant at) implements Effect {}

  /** Decide on this finding again now: it was decided on a state another writer changed. */
  record DecideNow(Finding finding) implements Effect {}

  /** Something settled (an eviction, a repair, the breaker): decide again everything that waits. */
  record DecideWaiting() implements Effect {}
}
