package io.chainwatch.model;

import java.util.Locale;

/** The rules and limits of the remediation policy, in the order it applies them. Wire names are kebab-case. */
public enum RemediationRule {
  /** The detector planned no restart. */
  NOT_A_RESTART,
  /** The pod is gone or was replaced since the finding. */
  POD_GONE,
  /** The pod is already terminating. */
  POD_TERMINATING,
  /** The remediation state could not be read from the cluster, so limits cannot be honoured. */
  STATE_UNAVAILABLE,
  /** The namespace is in the excluded list. */
  EXCLUDED_NAMESPACE,
  /** The pod is annotated {@code chainwatch.io/remediation: disabled}. */
  POD_OPT_OUT,
  /** The namespace is annotated {@code chainwatch.io/remediation: disabled}. */
  NAMESPACE_OPT_OUT,
  /** Nothing would recreate the pod. */
  NO_OWNER,
  /** This very pod was already evicted. */
  ALREADY_EVICTED,
  /** The blast-radius breaker is open. */
  BREAKER_OPEN,
  /** This finding trips the blast-radius breaker. */
  BLAST_RADIUS,
  /** A PodDisruptionBudget refused the eviction too often. */
  BUDGET_EXHAUSTED,
  /** A PodDisruptionBudget refused the eviction; retrying after a backoff. */
  BUDGET_BACKOFF,
  /** The pod was acted on too recently. */
  POD_COOLDOWN,
  /** The owner's pods were evicted too often within the last hour. */
  OWNER_ATTEMPTS,
  /** Another pod of the same owner is being restarted. */
  OWNER_IN_FLIGHT,
  /** A pod of the same owner was restarted too recently. */
  OWNER_COOLDOWN,
  /** The global eviction rate limit is reached. */
  RATE_LIMIT,
  /** Host repair is not enabled ({@code remediation.rpFilterRepair}). */
  REPAIR_DISABLED,
  /** The node is gone. */
  NODE_GONE,
  /** The node is annotated {@code chainwatch.io/remediation: disabled}. */
  NODE_OPT_OUT,
  /** The node's repair annotation (its earlier attempts) cannot be read. */
  REPAIR_RECORD_UNREADABLE,
  /** The node's report does not say what to write (no uplink, unreadable values). */
  NOTHING_TO_REPAIR,
  /** A repair of this node was requested too recently. */
  NODE_COOLDOWN,
  /** This node was repaired too often within the last hour. */
  NODE_ATTEMPTS,
  /** Too many nodes asked for a repair at once: likely a fleet-wide change, not single hosts. */
  REPAIR_STORM,
  /** Mode approve: every rail passed, and the action waits for a person's click. */
  AWAITING_APPROVAL,
  /** Mode approve: a person rejected the action. */
  APPROVAL_REJECTED,
  /** Mode approve: nobody answered within remediation.approvalTimeout. */
  APPROVAL_EXPIRED,
  /** Every rail passed. */
  ELIGIBLE;

  /** kebab-case name used in audit records and logs. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
