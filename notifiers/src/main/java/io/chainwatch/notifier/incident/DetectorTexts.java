package io.chainwatch.notifier.incident;

import java.util.Map;

/** What a person reads for each detector: a title and the runbook step from the field reports. */
public final class DetectorTexts {
  private static final Map<String, String> TITLES = Map.of(
      "missed-cilium-chain", "Pods missed the Cilium chain",
      "remediation", "Remediation stopped");
  private static final Map<String, String> RUNBOOKS = Map.of(
      "missed-cilium-chain", "Restart the affected pods (kubectl delete pod, or rollout restart of their owner) so they"
          + " go through the full CNI chain, and add the node.cilium.io/agent-not-ready=true:NoSchedule taint to the"
          + " node pool so new nodes cannot start pods before cilium-agent is Ready (field report: node pools must"
          + " have the agent-not-ready taint).",
      "remediation", "Many pods missed the chain at once: check cilium-agent on the affected nodes (kubectl -n"
          + " kube-system get pods -l k8s-app=cilium -o wide) and the node pools' agent-not-ready taint before"
          + " resetting the breaker.");

  private DetectorTexts() {}

  public static String title(String detectorId) {
    return TITLES.getOrDefault(detectorId, detectorId);
  }

  /** The runbook step, or an empty string when none is written for this detector. */
  public static String runbook(String detectorId) {
    return RUNBOOKS.getOrDefault(detectorId, "");
  }
}
