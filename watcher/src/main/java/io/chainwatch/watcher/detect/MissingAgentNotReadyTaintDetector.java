package io.chainwatch.watcher.detect;

import io.chainwatch.config.Settings;
import io.chainwatch.model.CiliumConfigSnapshot;
import io.chainwatch.model.DaemonSetSnapshot;
import io.chainwatch.model.DetectorText;
import java.util.Set;
import io.chainwatch.model.CiliumNodeSnapshot;
import io.chainwatch.model.ClusterChange;
import io.chainwatch.model.EndpointSnapshot;
import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingFacts;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import io.chainwatch.model.Snapshot;
import io.chainwatch.watcher.view.ClusterView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code missing-agent-not-ready-taint} (warning, page): in a CNI-chaining cluster, a node pool without Cilium's
 * agent-not-ready taint, reported only on evidence of the race on that node:
 * <ul>
 *   <li>{@code joined-untainted}: a young node (within {@link #JOIN_WINDOW} of its creation) without the taint whose
 *       Cilium agent pod is there but not Ready yet: the kubelet may start pods before Cilium is in the chain;</li>
 *   <li>{@code pods-started-before-agent}: pods on the node that lack their CiliumEndpoint and started before Cilium's
 *       agent first ran there (the CiliumNode's creation, which outlives agent restarts; else the agent's Ready time).
 *       An agent restart or a Cilium upgrade with endpoints intact is never evidence: cilium-operator removes the
 *       taint once the agent is Ready, so a running node without it is the normal state.</li>
 * </ul>
 * Pods that tolerate the taint (typically {@code operator: Exists}) start before the agent whatever the pool's taints:
 * they are never the pool's evidence but their own advice ({@code pod-tolerates-taint}, info, on the pod, naming its
 * workload and toleration). The taint key is the one this cluster's Cilium uses ({@link CiliumFacts}). Findings join
 * the node's missed-chain incident.
 */
public final class MissingAgentNotReadyTaintDetector implements Detector {
  public static final String ID = "missing-agent-not-ready-taint";
  /** Its declaration: registered in {@link DetectorCatalog#ALL}; part of the deployment doctor. */
  public static final DetectorSpec SPEC = new DetectorSpec(ID, new DetectorText(
      "Node pool without the agent-not-ready taint",
      "Add Cilium's agent-not-ready taint (node.cilium.io/agent-not-ready=true:NoSchedule, or the key in cilium-config's"
          + " agent-not-ready-taint-key) to the node pool's template, so new nodes start no pods before cilium-agent is"
          + " Ready; then restart the pods that started early (field report: node pools must have the agent-not-ready"
          + " taint).",
      io.chainwatch.model.FleetDimension.NODE_POOL),
      DetectorSpec.enabledSetting(ID, "Report node pools whose nodes join without Cilium's agent-not-ready taint."),
      Settings.DOCTOR_ENABLED, List.of(),
      Set.of(NodeSnapshot.class, PodSnapshot.class, EndpointSnapshot.class,
          CiliumNodeSnapshot.class, CiliumConfigSnapshot.class, DaemonSetSnapshot.class),
      config -> new MissingAgentNotReadyTaintDetector(config.missedChain().agentSettle()));
  /** Labels that name a node's pool on the clouds the field reports and their peers use. */
  static final List<String> POOL_LABELS = io.chainwatch.model.NodePools.LABELS;
  private static final int MAX_LISTED_PODS = 10;
  /**
   * How long after a node's creation its agent's first Ready is still awaited: image pulls and the agent's start take
   * minutes on a fresh node. An untainted node whose agent is not Ready later than this is a restarting agent, whose
   * node cilium-operator untainted long ago (missed-cilium-chain's node page covers it).
   */
  static final Duration JOIN_WINDOW = Duration.ofMinutes(10);

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
    CiliumFacts facts = CiliumFacts.of(view);
    return facts.chained() ? Optional.empty()
        : Optional.of("Cilium is the primary CNI here (" + facts.chainingSignal() + "): the taint is only needed when "
            + "Cilium is chained to another CNI");
  }

  @Override
  public Subjects affectedBy(ClusterChange change, ClusterView view) {
    Snapshot latest = change.latest();
    if (latest instanceof NodeSnapshot node) {
      return Subjects.of(List.of(node.ref()));
    }
    if (latest instanceof PodSnapshot pod && pod.nodeName() != null) {
      List<ResourceRef> refs = new ArrayList<>(List.of(ResourceRef.node(pod.nodeName()), pod.ref()));
      if (view.isCiliumAgent(pod)) {
        view.podsOnNode(pod.nodeName()).forEach(other -> refs.add(other.ref()));
      }
      return Subjects.of(refs);
    }
    if (latest instanceof EndpointSnapshot endpoint) {
      List<ResourceRef> refs = new ArrayList<>(List.of(ResourceRef.pod(endpoint.namespace(), endpoint.name())));
      view.pod(endpoint.namespace(), endpoint.name()).map(PodSnapshot::nodeName).filter(Objects::nonNull)
          .ifPresent(node -> refs.add(ResourceRef.node(node)));
      return Subjects.of(refs);
    }
    if (latest instanceof CiliumNodeSnapshot ciliumNode) {
      List<ResourceRef> refs = new ArrayList<>(List.of(ResourceRef.node(ciliumNode.name())));
      view.podsOnNode(ciliumNode.name()).forEach(pod -> refs.add(pod.ref()));
      return Subjects.of(refs);
    }
    if (latest instanceof io.chainwatch.model.CiliumConfigSnapshot
        || latest instanceof io.chainwatch.model.DaemonSetSnapshot) {
      return Subjects.ALL;
    }
    return Subjects.NONE;
  }

  @Override
  public Collection<ResourceRef> allSubjects(ClusterView view) {
    List<ResourceRef> subjects = new ArrayList<>();
    for (NodeSnapshot node : view.nodes()) {
      subjects.add(node.ref());
    }
    for (PodSnapshot pod : view.pods()) {
      if (!pod.toleratedNoSchedule().isEmpty()) {
        subjects.add(pod.ref());
      }
    }
    return subjects;
  }

  @Override
  public Evaluation evaluate(ResourceRef subject, ClusterView view, Instant now) {
    if ("Pod".equals(subject.kind()) && view.pod(subject.namespace(), subject.name())
        .map(pod -> pod.toleratedNoSchedule().isEmpty()).orElse(true)) {
      return Evaluation.NOTHING; // most pods tolerate no NoSchedule taint: nothing to advise, decided cheaply
    }
    CiliumFacts facts = CiliumFacts.of(view);
    if (!facts.chained()) {
      return Evaluation.NOTHING;
    }
    if ("Node".equals(subject.kind())) {
      return view.node(subject.name()).map(node -> evaluateNode(node, facts, view, now)).orElse(Evaluation.NOTHING);
    }
    if ("Pod".equals(subject.kind())) {
      return view.pod(subject.namespace(), subject.name()).map(pod -> evaluatePod(pod, facts, view, now))
          .orElse(Evaluation.NOTHING);
    }
    return Evaluation.NOTHING;
  }

  /** A pod on this node that missed the chain because it started before Cilium's agent ever ran there. */
  private static boolean raceVictim(PodSnapshot pod, Instant agentFirstSeen, ClusterView view) {
    return MissedCiliumChainDetector.chainApplies(pod) && !view.isCiliumAgent(pod)
        && pod.startedOrCreatedAt() != null && pod.startedOrCreatedAt().isBefore(agentFirstSeen)
        && MissedCiliumChainDetector.endpointProblem(pod, view).isPresent();
  }

  private Evaluation evaluateNode(NodeSnapshot node, CiliumFacts facts, ClusterView view, Instant now) {
    if (node.taints().stream().anyMatch(facts::isAgentNotReadyTaint)) {
      return Evaluation.NOTHING;
    }
    List<PodSnapshot> agents = view.ciliumAgentsOn(node.name());
    boolean agentReady = agents.stream().anyMatch(agent -> agent.ready() && !agent.terminating());
    Instant settledAt = node.createdAt() == null ? null
        : node.createdAt().plus(agentSettle.compareTo(JOIN_WINDOW) > 0 ? agentSettle : JOIN_WINDOW);
    boolean young = settledAt != null && now.isBefore(settledAt);
    Instant agentFirstSeen = AgentHistory.firstReadyAt(node.name(), view);
    List<String> victims = new ArrayList<>();
    if (agentFirstSeen != null && MissedCiliumChainDetector.noEndpointEvidence(view).isEmpty()) {
      for (PodSnapshot pod : view.podsOnNode(node.name())) {
        if (!pod.tolerates(facts.taintKey()) && raceVictim(pod, agentFirstSeen, view)) {
          victims.add(pod.namespace() + "/" + pod.name());
        }
      }
    }
    String reason;
    if (!agents.isEmpty() && !agentReady && young) {
      reason = "joined-untainted";
    } else if (!victims.isEmpty() && now.isBefore(agentFirstSeen.plus(agentSettle))) {
      // as missed-cilium-chain does: endpoints appear shortly after the agent is Ready; judge once it settled
      return Evaluation.recheckAt(agentFirstSeen.plus(agentSettle));
    } else if (!victims.isEmpty()) {
      reason = "pods-started-before-agent";
    } else {
      return young ? Evaluation.recheckAt(settledAt) : Evaluation.NOTHING;
    }
    victims.sort(null);
    String pool = POOL_LABELS.stream().map(label -> node.labels().get(label)).filter(Objects::nonNull).findFirst()
        .orElse(null);
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put("nodePool", pool);
    evidence.put("chainingMode", facts.chainingMode());
    evidence.put("taintKey", facts.taintKey());
    evidence.put("taintKeyFrom", facts.taintKeySignal());
    evidence.put("taints", node.taints());
    evidence.put("agentFirstSeenAt", agentFirstSeen == null ? null : agentFirstSeen.toString());
    evidence.put("podsStartedBeforeAgent", victims.size());
    evidence.put("pods", List.copyOf(victims.subList(0, Math.min(MAX_LISTED_PODS, victims.size()))));
    evidence.put("nodeCreatedAt", node.createdAt() == null ? null : node.createdAt().toString());
    evidence.put(FindingFacts.INCIDENT_GROUP, MissedCiliumChainDetector.ID);
    evidence.put(FindingFacts.ACTION_REASON, "the node pool's configuration: only a person can add the taint to the pool");
    String where = pool == null ? "node " + node.name() + " (no pool label)" : "node pool " + pool + " (node "
        + node.name() + ")";
    String what = reason.equals("joined-untainted") ? "joined without the " + facts.taintKey() + " taint and its "
        + "cilium-agent is not Ready yet, so the kubelet can start pods before Cilium is in the CNI chain"
        : "has no " + facts.taintKey() + " taint and runs " + victims.size() + " pod(s) without a CiliumEndpoint that "
            + "started before Cilium's agent first ran there (" + agentFirstSeen + ")";
    String summary = "In this CNI-chaining cluster (" + facts.chainingMode() + "), " + where + " " + what
        + ": the cause of the missed-chain race. Add " + facts.taintKey() + "=true:NoSchedule to the node pool's "
        + "taints (cilium-operator removes it once the agent is Ready).";
    return Evaluation.of(new Finding(ID, node.ref(), node.name(), Severity.WARNING, PlannedAction.PAGE, reason,
        summary, now, evidence));
  }

  private Evaluation evaluatePod(PodSnapshot pod, CiliumFacts facts, ClusterView view, Instant now) {
    if (!pod.tolerates(facts.taintKey()) || pod.nodeName() == null
        || MissedCiliumChainDetector.noEndpointEvidence(view).isPresent()) {
      return Evaluation.NOTHING;
    }
    Instant agentFirstSeen = AgentHistory.firstReadyAt(pod.nodeName(), view);
    if (agentFirstSeen == null || !raceVictim(pod, agentFirstSeen, view)) {
      return Evaluation.NOTHING;
    }
    String toleration = pod.toleratedNoSchedule().contains(PodSnapshot.ANY_TAINT)
        ? "tolerates every taint (operator: Exists without a key)" : "tolerates " + facts.taintKey();
    String workload = pod.owner() == null ? "bare pod " + pod.namespace() + "/" + pod.name()
        : pod.owner().kind() + " " + pod.namespace() + "/" + pod.owner().name();
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put("workload", workload);
    evidence.put("toleration", toleration);
    evidence.put("taintKey", facts.taintKey());
    evidence.put("podStartedAt", pod.startedOrCreatedAt().toString());
    evidence.put("agentFirstSeenAt", agentFirstSeen.toString());
    evidence.put(FindingFacts.INCIDENT_GROUP, MissedCiliumChainDetector.ID);
    evidence.put(FindingFacts.ACTION_REASON, "advice: the workload's own toleration, not the node pool, let it start early");
    String summary = "Pod " + pod.namespace() + "/" + pod.name() + " of " + workload + " " + toleration
        + ", so it started on node " + pod.nodeName() + " before Cilium's agent (" + agentFirstSeen + ") whatever the "
        + "pool's taints, and runs without a CiliumEndpoint. The node pool's taint cannot prevent this: narrow the "
        + "workload's tolerations, or accept that its pods need a restart after a node joins.";
    return Evaluation.of(new Finding(ID, pod.ref(), pod.nodeName(), Severity.INFO, PlannedAction.NONE,
        "pod-tolerates-taint", summary, now, evidence));
  }
}
