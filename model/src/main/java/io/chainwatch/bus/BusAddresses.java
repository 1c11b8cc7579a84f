package io.chainwatch.bus;

/** Event-bus addresses. Each comment gives the pattern and the payload type. */
public final class BusAddresses {
  /** publish, {@link io.chainwatch.model.ClusterChange}: the view changed; re-evaluate the keys it touches. */
  public static final String CLUSTER_CHANGES = "chainwatch.cluster.changes";

  /** publish, {@link io.chainwatch.model.Finding}: a new finding, or one whose content changed. */
  public static final String FINDINGS = "chainwatch.findings";

  /** publish, {@link io.chainwatch.model.FindingCleared}: a finding that no longer holds. */
  public static final String FINDINGS_CLEARED = "chainwatch.findings.cleared";

  private BusAddresses() {}
}
