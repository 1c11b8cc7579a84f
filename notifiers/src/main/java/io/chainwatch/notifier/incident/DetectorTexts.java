package io.chainwatch.notifier.incident;

import java.util.Map;

/** What a person reads for each detector: a title and the runbook step from the field reports. */
public final class DetectorTexts {
  private static final Map<String, String> TITLES = Map.of(
      "missed-cilium-chain", "Pods missed the Cilium chain",
      "rp-filter-reset", "Host rp_filter drops pod traffic",
      "cilium-health-local-endpoint", "Host cannot reach its own pods (cilium-health)",
      "probe-silent", "chainwatch is blind on a node",
      "missing-agent-not-ready-taint", "Node pool without the agent-not-ready taint",
      "host-network", "Host network broken for pods",
      "remediation", "Remediation stopped");
  private static final Map<String, String> RUNBOOKS = Map.of(
      "missed-cilium-chain", "Restart the affected pods (kubectl delete pod, or rollout restart of their owner) so they"
          + " go through the full CNI chain, and add the node.cilium.io/agent-not-ready=true:NoSchedule taint to the"
          + " node pool so new nodes cannot start pods before cilium-agent is Ready (field report: node pools must"
          + " have the agent-not-ready taint).",
      "rp-filter-reset", "Set rp_filter back (native routing: the uplink to 0 or 2, and keep sysctlfix disabled; "
          + "overlay: lxc*, cilium_* and all to 0) and find what restarted systemd-sysctl (field report: "
          + "systemd-sysctl restart resets rp_filter).",
      "cilium-health-local-endpoint", "Follow the field report's troubleshooting flow: sysctl -a | grep "
          + "'conf.lxc.*rp_filter'; any non-zero value means sysctlfix did not take effect (check the cilium pod's "
          + "init container status and logs, then sysctl -w); all zero means investigate other paths.",
      "probe-silent", "Check the chainwatch probe pod on the node (scheduling, crash loop, RBAC to patch its Node).",
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
