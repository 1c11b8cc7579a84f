package io.chainwatch.bus;

/** Event-bus addresses. Each comment gives the pattern and the payload type. */
public final class BusAddresses {
  /** publish, {@link io.chainwatch.model.ClusterChange}: the view changed; re-evaluate the keys it touches. */
  public static final String CLUSTER_CHANGES = "chainwatch.cluster.changes";

  /** publish, {@link io.chainwatch.model.Finding}: a new finding, or one whose content changed. */
  public static final String FINDINGS = "chainwatch.findings";

  /** publish, {@link io.chainwatch.model.FindingCleared}: a finding that no longer holds. */
  public static final String FINDINGS_CLEARED = "chainwatch.findings.cleared";

  /** publish, {@link io.chainwatch.model.RemediationDecision}: what the remediation policy decided, and why. */
  public static final String REMEDIATION_DECISIONS = "chainwatch.remediation.decisions";

  /** publish, {@link io.chainwatch.model.RemediationOutcome}: what an eviction (or dry-run) led to. */
  public static final String REMEDIATION_OUTCOMES = "chainwatch.remediation.outcomes";

  /** publish, {@link io.chainwatch.model.BreakerChange}: the blast-radius breaker opened or closed. */
  public static final String REMEDIATION_BREAKER = "chainwatch.remediation.breaker";

  /** publish, {@link io.chainwatch.model.IncidentChange}: an incident opened, changed or resolved. */
  public static final String INCIDENTS = "chainwatch.incidents";

  /**
   * publish, {@link io.chainwatch.model.PersonAction}: a person clicked a button (acknowledge, silence, approve,
   * reject), already checked against the allowed group.
   */
  public static final String PERSON_ACTIONS = "chainwatch.actions";

  /** publish, {@link io.chainwatch.model.ApprovalChange}: mode approve asked, or an approval changed. */
  public static final String REMEDIATION_APPROVALS = "chainwatch.remediation.approvals";

  private BusAddresses() {}
}
