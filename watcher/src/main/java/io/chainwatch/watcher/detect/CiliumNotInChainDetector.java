package io.chainwatch.watcher.detect;

import io.chainwatch.config.Settings;
import io.chainwatch.model.ClusterChange;
import io.chainwatch.model.DetectorText;
import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingFacts;
import io.chainwatch.model.NodeReport;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.PodSnapshot;
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
import java.util.Set;

/**
 * {@code cilium-not-in-chain} (critical, page): the node's cilium-agent is Ready, but the CNI configuration the node's
 * container runtime uses (the probe reads it from the host) does not run {@code cilium-cni}, so every pod started
 * there from now on misses Cilium: the base CNI rewrote its file after Cilium appended itself, a meta plugin such as
 * multus sorts ahead and delegates without Cilium, or Cilium does not write its configuration. Judged only on clear
 * evidence: a report observed after the agent has been Ready for {@code agentSettle}, a file not modified within it
 * (the agent rewrites its own file), read cleanly, and no meta plugin delegating to configuration kept elsewhere. A
 * restart cannot help until the chain is fixed, so it pages.
 */
public final class CiliumNotInChainDetector implements Detector {
  public static final String ID = "cilium-not-in-chain";
  /** Its declaration: registered in {@link DetectorCatalog#ALL}. */
  public static final DetectorSpec SPEC = new DetectorSpec(ID, new DetectorText(
      "Cilium is not in the node's CNI chain",
      "Look at the node's CNI directory (ls -l /etc/cni/net.d): the runtime uses the lexically first file. Make Cilium's"
          + " configuration the one it uses: remove or rename the file that sorts ahead, or fix the base CNI or meta"
          + " plugin that rewrote the chain (or, with cni.customConf, add cilium-cni to your configuration); then"
          + " restart the pods started since, so they go through the full chain.",
      io.chainwatch.model.FleetDimension.NODE_POOL),
      DetectorSpec.enabledSetting(ID, "Report nodes whose CNI configuration in use leaves Cilium out (from the "
          + "probe's report)."),
      null, List.of(Settings.MISSED_CHAIN_AGENT_SETTLE), Set.of(NodeSnapshot.class, PodSnapshot.class),
      config -> new CiliumNotInChainDetector(config.missedChain().agentSettle()));

  private final Duration settle;

  /** @param settle how long the agent must have been Ready, and the file unchanged, before the chain is judged */
  public CiliumNotInChainDetector(Duration settle) {
    this.settle = settle;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Subjects affectedBy(ClusterChange change, ClusterView view) {
    if (change.latest() instanceof NodeSnapshot node) {
      return Subjects.of(List.of(node.ref()));
    }
    if (change.latest() instanceof PodSnapshot pod && pod.nodeName() != null && view.isCiliumAgent(pod)) {
      return Subjects.of(List.of(ResourceRef.node(pod.nodeName())));
    }
    return Subjects.NONE;
  }

  @Override
  public Collection<ResourceRef> allSubjects(ClusterView view) {
    return HostReports.nodesWithReports(view);
  }

  @Override
  public Evaluation evaluate(ResourceRef subject, ClusterView view, Instant now) {
    Optional<NodeReport> found = HostReports.reportOf(subject, view);
    NodeReport.CniChain cni = found.map(NodeReport::cni).orElse(null);
    if (cni == null || !cni.leavesCiliumOut()) {
      return Evaluation.NOTHING;
    }
    String node = subject.name();
    PodSnapshot agent = view.ciliumAgentsOn(node).stream().filter(a -> a.ready() && !a.terminating()).findFirst()
        .orElse(null);
    if (agent == null) {
      return Evaluation.NOTHING; // no Ready agent: the missed-chain detector's node finding speaks for the node
    }
    Instant readySince = AgentHistory.readyAt(agent);
    Instant judgeable = readySince == null ? null : readySince.plus(settle);
    if (judgeable == null || found.get().observedAt() == null || found.get().observedAt().isBefore(judgeable)) {
      return Evaluation.NOTHING; // the report may predate the agent writing its configuration: wait for the next one
    }
    if (cni.modifiedAt() != null && now.isBefore(cni.modifiedAt().plus(settle))) {
      return Evaluation.recheckAt(cni.modifiedAt().plus(settle)); // being rewritten (by the agent itself?)
    }
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put("cniFile", cni.file());
    evidence.put("plugins", cni.plugins());
    evidence.put("fileModifiedAt", cni.modifiedAt() == null ? null : cni.modifiedAt().toString());
    evidence.put("probeSeenSince", cni.seenSince() == null ? null : cni.seenSince().toString());
    evidence.put("ciliumAgent", agent.namespace() + "/" + agent.name());
    evidence.put("agentReadySince", readySince.toString());
    evidence.put(FindingFacts.INCIDENT_GROUP, MissedCiliumChainDetector.ID);
    evidence.put(FindingFacts.ACTION_REASON, "restarting pods cannot help while the chain the runtime uses leaves "
        + "Cilium out");
    String summary = "Node " + node + ": cilium-agent has been Ready since " + readySince + ", but the CNI "
        + "configuration the runtime uses, " + cni.file() + (cni.modifiedAt() == null ? ""
            : " (modified " + cni.modifiedAt() + ")") + ", runs " + String.join(" → ", cni.plugins())
        + " without cilium-cni: every pod started on this node from now on misses Cilium (no policy, no masquerade).";
    return Evaluation.of(new Finding(ID, subject, node, Severity.CRITICAL, PlannedAction.PAGE,
        "cilium-not-in-active-chain", summary, now, evidence));
  }
}
