package io.chainwatch.model;

import java.util.Map;
import java.util.Set;

/**
 * What other modules read of a finding, typed. Detectors write these facts into the evidence under the keys declared
 * here (the evidence is what people and the audit log read, and its keys are part of the Kafka schema); every module
 * that acts on them reads them through {@link Finding#facts()}, never by a string of its own, so a renamed key fails
 * to compile instead of failing silently.
 *
 * @param incidentGroup findings of different detectors that share one cause on a node share this group (one
 *     incident); {@code null}: the detector's own
 * @param actionReason why the detector planned its action, for people; {@code null} when it gave none
 * @param subjectUid the UID of the pod the finding is about, {@code null} when unknown or not a pod: a remediation
 *     must not act on a pod that was replaced under the same name
 * @param chainRace the pod started before its node's Cilium agent was Ready: all such pods of a node are one incident
 * @param routingMode {@code native} or {@code tunnel} when the finding's repair depends on it (which rp_filter
 *     values a repair writes), else {@code null}
 */
public record FindingFacts(String incidentGroup, String actionReason, String subjectUid, boolean chainRace,
    String routingMode) {
  public static final String INCIDENT_GROUP = "incidentGroup";
  public static final String ACTION_REASON = "actionReason";
  public static final String SUBJECT_UID = "podUid";
  public static final String CHAIN_RACE = "chainRace";
  public static final String ROUTING_MODE = "routingMode";
  /** Keys that steer chainwatch rather than explain the problem: texts for people leave them out. */
  public static final Set<String> NOT_CAUSE = Set.of(INCIDENT_GROUP, ACTION_REASON);

  /** The facts written in {@code evidence}. */
  static FindingFacts of(Map<String, Object> evidence) {
    return new FindingFacts(text(evidence.get(INCIDENT_GROUP)), text(evidence.get(ACTION_REASON)),
        text(evidence.get(SUBJECT_UID)), Boolean.TRUE.equals(evidence.get(CHAIN_RACE)),
        text(evidence.get(ROUTING_MODE)));
  }

  private static String text(Object value) {
    return value == null ? null : String.valueOf(value);
  }

  /** Whether the repair this finding asks for follows native routing (only the uplink may need loosening). */
  public boolean nativeRouting() {
    return "native".equals(routingMode);
  }
}
