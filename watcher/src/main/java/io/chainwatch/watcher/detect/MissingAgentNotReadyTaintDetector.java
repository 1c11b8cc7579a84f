package io.chainwatch.watcher.detect;

import io.chainwatch.model.ClusterChange;
import io.chainwatch.model.Finding;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import io.chainwatch.model.Snapshot;
import io.chainwatch.watcher.view.ClusterView;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code missing-agent-not-ready-taint} (warning, page): in a CNI-chaining cluster, a node without the
 * {@code node.cilium.io/agent-not-ready} taint that is young and whose Cilium agent is not Ready yet, or that runs pods
 * started before its agent was Ready. This is the cause of the missed-chain race: the finding names the node pool, so
 * the operator fixes the pool (its taints), not the node. It joins the node's missed-chain incident.
 */
public final class MissingAgentNotReadyTaintDetector implements Detector {
  public static final String ID = "missing-agent-not-ready-taint";
  static final String TAINT = "node.cilium.io/agent-not-ready";
  /** Labels that name a node's pool on the clouds the field reports and their peers use. */
  static final List<String> POOL_LABELS = List.of("node.tke.cloud.tencent.com/nodepool-id",
      "cloud.google.com/gke-nodepool", "eks.amazonaws.com/nodegroup", "kubernetes.azure.com/agentpool",
      "karpenter.sh/nodepool");

  private final Duration agentSettle;

  public MissingAgentNotReadyTaintDetector(Duration agentSettle) {
    this.agentSettle = Objects.requireNonNull(agentSettle, "agentSettle");
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Optional<String> inactiveReason(ClusterView view) {
    return chainingMode(view).isPresent() ? Optional.empty()
        : Optional.of("Cilium is not in CNI chaining (cilium-config has no cni-chaining-mode): the taint is only "
            + "needed when chaining");
  }

  static Optional<String> chainingMode(ClusterView view) {
    return view.ciliumConfig().map(config -> config.data().get("cni-chaining-mode"))
        .filter(mode -> !mode.isBlank() && !mode.trim().equalsIgnoreCase("none"));
  }

  @Override
  public Subjects affectedBy(ClusterChange change, ClusterView view) {
    Snapshot latest = change.latest();
    if (latest instanceof NodeSnapshot node) {
      return Subjects.of(List.of(node.ref()));
    }
    if (latest instanceof PodSnapshot pod && pod.nodeName() != null) {
      return Subjects.of(List.of(ResourceRef.node(pod.nodeName())));
    }
    if (latest instanceof io.chainwatch.model.CiliumConfigSnapshot) {
      return Subjects.ALL;
    }
    return Subjects.NONE;
  }

  @Override
  public Collection<ResourceRef> allSubjects(ClusterView view) {
    return view.nodes().stream().map(NodeSnapshot::ref).toList();
  }

  @Override
  public Evaluation evaluate(ResourceRef subject, ClusterView view, Instant now) {
    Optional<NodeSnapshot> found = view.node(subject.name());
    if (found.isEmpty() || chainingMode(view).isEmpty()) {
      return Evaluation.NOTHING;
    }
    NodeSnapshot node = found.get();
    if (node.taints().stream().anyMatch(taint -> taint.startsWith(TAINT))) {
      return Evaluation.NOTHING;
    }
    List<PodSnapshot> agents = view.ciliumAgentsOn(node.name());
    Instant agentReadyAt = agents.stream().filter(PodSnapshot::ready)
        .map(agent -> agent.readyChangedAt() != null ? agent.readyChangedAt() : agent.startedOrCreatedAt())
        .filter(Objects::nonNull).min(Instant::compareTo).orElse(null);
    Instant settledAt = node.createdAt() == null ? null : node.createdAt().plus(agentSettle);
    boolean young = settledAt != null && now.isBefore(settledAt);
    long earlyPods = agentReadyAt == null ? 0 : view.podsOnNode(node.name()).stream()
        .filter(pod -> !view.isCiliumAgent(pod) && !pod.hostNetwork() && pod.startedOrCreatedAt() != null
            && pod.startedOrCreatedAt().isBefore(agentReadyAt))
        .count();
    String reason;
    if (agentReadyAt == null && young) {
      reason = "joined-untainted";
    } else if (earlyPods > 0) {
      reason = "pods-started-before-agent";
    } else {
      return young ? Evaluation.recheckAt(settledAt) : Evaluation.NOTHING;
    }
    String pool = POOL_LABELS.stream().map(label -> node.labels().get(label)).filter(Objects::nonNull).findFirst()
        .orElse(null);
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put("nodePool", pool);
    evidence.put("chainingMode", chainingMode(view).get());
    evidence.put("taints", node.taints());
    evidence.put("agentReadySince", agentReadyAt == null ? null : agentReadyAt.toString());
    evidence.put("podsStartedBeforeAgent", earlyPods);
    evidence.put("nodeCreatedAt", node.createdAt() == null ? null : node.createdAt().toString());
    evidence.put("incidentGroup", MissedCiliumChainDetector.ID);
    evidence.put("actionReason", "the node pool's configuration: only a person can add the taint to the pool");
    String where = pool == null ? "node " + node.name() + " (no pool label)" : "node pool " + pool + " (node "
        + node.name() + ")";
    String what = reason.equals("joined-untainted") ? "joined without the " + TAINT + " taint and its cilium-agent "
        + "is not Ready yet, so the kubelet can start pods before Cilium is in the CNI chain"
        : "has no " + TAINT + " taint and runs " + earlyPods + " pod(s) started before its cilium-agent was Ready";
    String summary = "In this CNI-chaining cluster, " + where + " " + what + ": the cause of the missed-chain race. "
        + "Add " + TAINT + "=true:NoSchedule to the node pool's taints (cilium-agent removes it once Ready).";
    return Evaluation.of(new Finding(ID, subject, node.name(), Severity.WARNING, PlannedAction.PAGE, reason, summary,
        now, evidence));
  }
}
