package io.chainwatch.watcher.detect;

import io.chainwatch.config.Settings;
import io.chainwatch.model.DetectorText;
import java.util.Set;
import io.chainwatch.config.HostDetectorsConfig;
import io.chainwatch.model.ClusterChange;
import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingFacts;
import io.chainwatch.model.NodeReport;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import io.chainwatch.watcher.view.ClusterView;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code probe-silent}: a Ready node whose probe report is missing, unreadable or older than three heartbeats.
 * chainwatch is blind on that node (rp_filter and cilium-health are not checked there) and says so. Active only once
 * some node carries a report (the probe is deployed); a node younger than three heartbeats gets time for its first.
 * Warning, action page.
 */
public final class ProbeSilentDetector implements Detector {
  public static final String ID = "probe-silent";
  /** Its declaration: registered in {@link DetectorCatalog#ALL}. */
  public static final DetectorSpec SPEC = new DetectorSpec(ID, new DetectorText("chainwatch is blind on a node",
      "Check the chainwatch probe pod on the node (scheduling, crash loop, RBAC to patch its Node).",
      io.chainwatch.model.FleetDimension.NODE_POOL),
      Settings.PROBE_SILENT_ENABLED, null, List.of(Settings.PROBE_HEARTBEAT),
      Set.of(NodeSnapshot.class), config -> new ProbeSilentDetector(config.hostDetectors()));
  private static final int HEARTBEATS = 3;

  private final Duration silentAfter;

  public ProbeSilentDetector(HostDetectorsConfig config) {
    this.silentAfter = config.probeHeartbeat().multipliedBy(HEARTBEATS);
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Optional<String> inactiveReason(ClusterView view) {
    boolean anyReport = view.nodes().stream().anyMatch(node -> node.report() != null);
    return anyReport ? Optional.empty() : Optional.of("no node carries a chainwatch.io/node-report: the probe "
        + "DaemonSet is not deployed (or cannot write), so there is no probe to be silent");
  }

  @Override
  public Subjects affectedBy(ClusterChange change, ClusterView view) {
    return HostReports.affectedBy(change, false);
  }

  @Override
  public Collection<ResourceRef> allSubjects(ClusterView view) {
    return view.nodes().stream().map(NodeSnapshot::ref).toList();
  }

  @Override
  public Evaluation evaluate(ResourceRef subject, ClusterView view, Instant now) {
    Optional<NodeSnapshot> found = view.node(subject.name());
    if (found.isEmpty() || !found.get().ready()) {
      return Evaluation.NOTHING;
    }
    NodeSnapshot node = found.get();
    NodeReport report = node.report();
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put("silentAfter", silentAfter.toString());
    evidence.put(FindingFacts.ACTION_REASON, "check the chainwatch probe pod on this node (kubectl get pods -o wide -l "
        + "app.kubernetes.io/component=probe --field-selector spec.nodeName=" + node.name() + ")");
    String summary;
    String reason;
    if (report == null) {
      Instant grace = node.createdAt() == null ? null : node.createdAt().plus(silentAfter);
      if (grace != null && now.isBefore(grace)) {
        return Evaluation.recheckAt(grace);
      }
      reason = "no-report";
      summary = "chainwatch is blind on node " + node.name() + ": its probe never reported (no "
          + "chainwatch.io/node-report), so rp_filter and cilium-health are not checked there.";
    } else if (report.problem() != null) {
      reason = "unreadable-report";
      evidence.put("problem", report.problem());
      summary = "chainwatch is blind on node " + node.name() + ": its probe report cannot be read (" + report.problem()
          + ").";
    } else if (report.observedAt().isAfter(now.plus(silentAfter.dividedBy(HEARTBEATS)))) {
      // more than one heartbeat ahead of this clock: not skew but a forged or broken date, which would otherwise
      // keep this detector quiet until then
      reason = "future-dated-report";
      evidence.put("lastReportAt", report.observedAt().toString());
      summary = "chainwatch cannot trust node " + node.name() + "'s probe report: it is dated " + report.observedAt()
          + ", in the future (the probe's clock, or someone else wrote it); its freshness cannot be judged.";
    } else {
      Instant stale = report.observedAt().plus(silentAfter);
      if (now.isBefore(stale)) {
        return Evaluation.recheckAt(stale);
      }
      reason = "stale-report";
      evidence.put("lastReportAt", report.observedAt().toString());
      summary = "chainwatch is blind on node " + node.name() + ": its probe last reported at " + report.observedAt()
          + ", more than " + HEARTBEATS + " heartbeats (" + silentAfter + ") ago; rp_filter and cilium-health are "
          + "not checked there.";
    }
    return new Evaluation(List.of(new Finding(ID, subject, node.name(), Severity.WARNING, PlannedAction.PAGE, reason,
        summary, now, evidence)), null);
  }
}
