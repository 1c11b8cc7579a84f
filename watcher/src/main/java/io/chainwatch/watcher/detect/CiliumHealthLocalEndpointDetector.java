package io.chainwatch.watcher.detect;

import io.chainwatch.config.Settings;
import io.chainwatch.model.DetectorText;
import io.chainwatch.model.NodeSnapshot;
import java.util.Set;
import io.chainwatch.model.ClusterChange;
import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingFacts;
import io.chainwatch.model.NodeReport;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import io.chainwatch.watcher.view.ClusterView;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code cilium-health-local-endpoint}: cilium-health on a node reaches none of its own health endpoint's addresses
 * (host → local pod unreachable; {@code cilium-health status} shows the localhost endpoint 0/N). Unknown addresses
 * (not probed yet) are left out: only unknown means no finding yet. Nodes without a health endpoint (CNI chaining,
 * health checking off) are not applicable. The finding follows the field report's troubleshooting flow and says
 * which branch applies, from the same node report: an {@code lxc*} with effective rp_filter ≠ 0 means the rp_filter
 * fix did not take effect (step 2); all 0 means it is not rp_filter (step 1). Critical, action page.
 */
public final class CiliumHealthLocalEndpointDetector implements Detector {
  public static final String ID = "cilium-health-local-endpoint";
  /** Its declaration: registered in {@link DetectorCatalog#ALL}. */
  public static final DetectorSpec SPEC = new DetectorSpec(ID, new DetectorText(
      "Host cannot reach its own pods (cilium-health)",
      "Follow the field report's troubleshooting flow: sysctl -a | grep 'conf.lxc.*rp_filter'; any non-zero value means"
          + " sysctlfix did not take effect (check the cilium pod's init container status and logs, then sysctl -w);"
          + " all zero means investigate other paths."),
      Settings.HEALTH_ENABLED, null, List.of(), Set.of(NodeSnapshot.class),
      config -> new CiliumHealthLocalEndpointDetector());

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Subjects affectedBy(ClusterChange change, ClusterView view) {
    return HostReports.affectedBy(change, false);
  }

  @Override
  public Collection<ResourceRef> allSubjects(ClusterView view) {
    return HostReports.nodesWithReports(view);
  }

  @Override
  public Evaluation evaluate(ResourceRef subject, ClusterView view, Instant now) {
    Optional<NodeReport> found = HostReports.reportOf(subject, view);
    if (found.isEmpty() || found.get().health() == null) {
      return Evaluation.NOTHING;
    }
    NodeReport report = found.get();
    NodeReport.LocalHealth health = report.health();
    int known = health.reachable() + health.unreachable();
    if (!health.endpointPresent() || known == 0 || health.reachable() > 0) {
      return Evaluation.NOTHING;
    }
    String node = subject.name();
    List<Map<String, Object>> filtered = HostReports.filteredCiliumInterfaces(report).stream()
        .filter(i -> String.valueOf(i.get("interface")).startsWith("lxc")).toList();
    boolean lxcReported = report.rpFilter().keySet().stream().anyMatch(iface -> iface.startsWith("lxc"));
    String branch;
    String cause;
    if (!filtered.isEmpty()) {
      branch = "step-2-rp-filter-fix-not-applied";
      cause = "the lxc rp_filter fix did not take effect (" + filtered.stream().limit(5)
          .map(i -> i.get("interface") + "=" + i.get("effective")).collect(Collectors.joining(", "))
          + "): check that the sysctlfix init container ran (kubectl -n kube-system get pod -l k8s-app=cilium -o "
          + "jsonpath='{.items[*].status.initContainerStatuses}') and its logs; if it ran, systemd-sysctl was "
          + "probably overridden by another process, so set the values with sysctl -w (troubleshooting steps 2-3)";
    } else if (lxcReported) {
      branch = "step-1-not-rp-filter";
      cause = "every lxc* rp_filter is 0, so it is not rp_filter: investigate other paths (troubleshooting step 1)";
    } else {
      branch = "rp-filter-not-reported";
      cause = "the probe reported no lxc* rp_filter values, so the rp_filter branch cannot be told apart";
    }
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put("reachable", health.reachable());
    evidence.put("unreachable", health.unreachable());
    evidence.put("unknown", health.unknown());
    evidence.put("errors", health.errors());
    evidence.put("troubleshootingBranch", branch);
    evidence.put("filteredLxcInterfaces", filtered);
    evidence.put(FindingFacts.INCIDENT_GROUP, HostReports.INCIDENT_GROUP);
    evidence.put(FindingFacts.ACTION_REASON, "the host cannot reach its own pods: restarting pods does not fix the host path");
    String summary = "Node " + node + ": cilium-health reaches 0 of " + known + " addresses of the local health "
        + "endpoint (host → pod unreachable" + (health.unknown() > 0 ? ", " + health.unknown() + " unknown" : "")
        + "): " + cause + ".";
    return Evaluation.of(new Finding(ID, subject, node, Severity.CRITICAL, PlannedAction.PAGE,
        "local-endpoint-unreachable", summary, now, evidence));
  }
}
