package io.chainwatch.watcher.detect;

import io.chainwatch.config.Settings;
import io.chainwatch.model.CiliumConfigSnapshot;
import io.chainwatch.model.DetectorText;
import io.chainwatch.model.NamespaceSnapshot;
import io.chainwatch.config.MissedChainConfig;
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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * {@code missed-cilium-chain}: pods that run without Cilium because they started before cilium-agent appended itself
 * to the node's CNI chain.
 *
 * <p>A pod is reported when it is Running, not hostNetwork, not terminating, has run for at least {@code minPodAge},
 * its node runs a Cilium agent pod that has been Ready for at least {@code agentSettle}, and no CiliumEndpoint of the
 * same namespace and name is owned by the pod's UID. Pods on nodes without an agent pod are never reported (not a
 * Cilium node), nor is anything when cilium-config sets {@code disable-endpoint-crd}. When a node's agent pods are
 * all not Ready for longer than {@code agentSettle} and pods there lack endpoints, one node-level finding pages
 * instead: restarting pods cannot help until the agent is Ready.
 */
public final class MissedCiliumChainDetector implements Detector {
  public static final String ID = "missed-cilium-chain";
  /** Its declaration: registered in {@link DetectorCatalog#ALL}. */
  public static final DetectorSpec SPEC = new DetectorSpec(ID, new DetectorText("Pods missed the Cilium chain",
      "Restart the affected pods (kubectl delete pod, or rollout restart of their owner) so they go through the full CNI"
          + " chain, and add the node.cilium.io/agent-not-ready=true:NoSchedule taint to the node pool so new nodes"
          + " cannot start pods before cilium-agent is Ready (field report: node pools must have the agent-not-ready"
          + " taint).",
      io.chainwatch.model.FleetDimension.NODE_POOL),
      Settings.MISSED_CHAIN_ENABLED, null, List.of(Settings.MISSED_CHAIN_MIN_POD_AGE,
          Settings.MISSED_CHAIN_AGENT_SETTLE),
      Set.of(PodSnapshot.class, EndpointSnapshot.class, NodeSnapshot.class, CiliumNodeSnapshot.class,
          NamespaceSnapshot.class, CiliumConfigSnapshot.class),
      config -> new MissedCiliumChainDetector(config.missedChain()));

  /** Owners that recreate an evicted pod, so a restart is safe to plan. */
  static final Set<String> RECREATING_OWNERS =
      Set.of("ReplicaSet", "StatefulSet", "DaemonSet", "ReplicationController");

  private static final int MAX_LISTED_PODS = 20;

  private final Duration minPodAge;
  private final Duration agentSettle;

  public MissedCiliumChainDetector(MissedChainConfig config) {
    this.minPodAge = Objects.requireNonNull(config.minPodAge(), "minPodAge");
    this.agentSettle = Objects.requireNonNull(config.agentSettle(), "agentSettle");
  }

  @Override
  public String id() {
    return ID;
  }

  /**
   * Inactive only when neither kind of evidence exists: the API's endpoints prove nothing (below) and no node's probe
   * reports the endpoints its agent manages.
   */
  @Override
  public Optional<String> inactiveReason(ClusterView view) {
    Optional<String> api = noEndpointEvidence(view);
    if (api.isEmpty()) {
      return api;
    }
    for (NodeSnapshot node : view.nodes()) {
      if (hostEndpoints(node.report()) != null) {
        return Optional.empty();
      }
    }
    return Optional.of(api.get() + "; and no node's probe reports the endpoints its cilium-agent manages (the "
        + "probe's endpoints section, which needs the agent's API socket mounted)");
  }

  /** The endpoint list a node's probe reports, when it lists every pod the agent manages; else {@code null}. */
  static io.chainwatch.model.NodeReport.AgentEndpoints hostEndpoints(io.chainwatch.model.NodeReport report) {
    if (report == null || report.problem() != null || report.endpoints() == null || !report.endpoints().complete()) {
      return null;
    }
    return report.endpoints();
  }

  /**
   * Why a missing CiliumEndpoint proves nothing in this view, if it does not: two Cilium installs (whose agents?),
   * the endpoint CRD disabled, or no endpoints at all while Cilium agents run (a dump without them, a user without
   * RBAC on them, or a Cilium mode without them). Cheap: asked on every evaluation.
   */
  static Optional<String> noEndpointEvidence(ClusterView view) {
    String conflict = view.cilium().conflict();
    if (conflict != null) {
      return Optional.of(conflict + ": whose agents and endpoints count is a guess chainwatch does not make");
    }
    Optional<String> disabled = view.ciliumConfig()
        .filter(config -> config.endpointCrdDisabled())
        .map(config -> "cilium-config (" + config.namespace() + "/" + config.name() + ") sets disable-endpoint-crd:"
            + " \"true\", so Cilium creates no CiliumEndpoints and a missing one proves nothing (CiliumEndpointSlices "
            + "built straight from pods, Cilium 1.20's mode without the CRD, hold every pod and prove nothing either)");
    if (disabled.isPresent()) {
      return disabled;
    }
    if (view.endpointsUnlisted() && view.ciliumAgentCount() > 0) {
      return Optional.of("the view holds no CiliumEndpoints at all while " + view.ciliumAgentCount() + " Cilium agent"
          + " pod(s) run: the dump lacks them (add `kubectl get ciliumendpoints.cilium.io -A -o json`; a user without "
          + "RBAC on them gets none), so a missing endpoint proves nothing here");
    }
    return Optional.empty();
  }

  @Override
  public Subjects affectedBy(ClusterChange change, ClusterView view) {
    Snapshot latest = change.latest();
    List<ResourceRef> refs = new ArrayList<>();
    if (latest instanceof PodSnapshot pod) {
      refs.add(pod.ref());
      for (Snapshot side : new Snapshot[] {change.before(), change.after()}) {
        if (side instanceof PodSnapshot version && version.nodeName() != null) {
          addNode(refs, version.nodeName(), view.isCiliumAgent(version), view);
        }
      }
    } else if (latest instanceof EndpointSnapshot endpoint) {
      refs.add(ResourceRef.pod(endpoint.namespace(), endpoint.name()));
      view.pod(endpoint.namespace(), endpoint.name())
          .map(PodSnapshot::nodeName)
          .filter(Objects::nonNull)
          .ifPresent(node -> refs.add(ResourceRef.node(node)));
    } else if (latest instanceof NodeSnapshot node) {
      addNode(refs, node.name(), true, view);
    } else if (latest instanceof CiliumNodeSnapshot ciliumNode) {
      addNode(refs, ciliumNode.name(), true, view);
    } else if (latest instanceof io.chainwatch.model.CiliumConfigSnapshot
        || latest instanceof io.chainwatch.model.NamespaceSnapshot) {
      // cilium-config or a namespace's opt-out changed: that can change any verdict
      return Subjects.ALL;
    } else {
      return Subjects.NONE; // a kind this detector does not read (its declaration routes none here)
    }
    return Subjects.of(refs);
  }

  private static void addNode(List<ResourceRef> refs, String node, boolean withPods, ClusterView view) {
    refs.add(ResourceRef.node(node));
    if (withPods) {
      for (PodSnapshot pod : view.podsOnNode(node)) {
        refs.add(pod.ref());
      }
    }
  }

  @Override
  public Collection<ResourceRef> allSubjects(ClusterView view) {
    List<ResourceRef> subjects = new ArrayList<>(view.pods().size() + view.nodes().size());
    for (PodSnapshot pod : view.pods()) {
      subjects.add(pod.ref());
    }
    for (NodeSnapshot node : view.nodes()) {
      subjects.add(node.ref());
    }
    return subjects;
  }

  @Override
  public Evaluation evaluate(ResourceRef subject, ClusterView view, Instant now) {
    boolean apiUsable = noEndpointEvidence(view).isEmpty(); // cheap; inactiveReason walks every node
    if ("Pod".equals(subject.kind())) {
      return view.pod(subject.namespace(), subject.name())
          .map(pod -> evaluatePod(pod, view, now, apiUsable))
          .orElse(Evaluation.NOTHING);
    }
    if ("Node".equals(subject.kind()) && apiUsable) {
      return evaluateNode(subject.name(), view, now);
    }
    return Evaluation.NOTHING;
  }

  /** Running, pod-network, not terminating, on a node: the only pods a CNI chain applies to. */
  static boolean chainApplies(PodSnapshot pod) {
    return pod.running() && !pod.hostNetwork() && !pod.terminating() && pod.nodeName() != null;
  }

  /** What stands in for the pod's endpoint: empty when it has its own, else why not. */
  static Optional<EndpointProblem> endpointProblem(PodSnapshot pod, ClusterView view) {
    Optional<EndpointSnapshot> endpoint = view.endpoint(pod.namespace(), pod.name());
    if (endpoint.isEmpty()) {
      return Optional.of(new EndpointProblem("no-endpoint", null));
    }
    EndpointSnapshot found = endpoint.get();
    // An endpoint without pod owners cannot be attributed: assume it is the pod's rather than act on a guess.
    if (found.ownerPodUids().isEmpty() || found.ownedBy(pod.uid())) {
      return Optional.empty();
    }
    return Optional.of(new EndpointProblem("stale-endpoint", found));
  }

  record EndpointProblem(String reason, EndpointSnapshot stale) {}

  private Evaluation evaluatePod(PodSnapshot pod, ClusterView view, Instant now, boolean apiUsable) {
    // The agent itself never has an endpoint (it runs on the host network in every supported install).
    if (!chainApplies(pod) || view.isCiliumAgent(pod)) {
      return Evaluation.NOTHING;
    }
    List<PodSnapshot> agents = view.ciliumAgentsOn(pod.nodeName());
    if (agents.isEmpty()) {
      return Evaluation.NOTHING;
    }
    io.chainwatch.model.NodeReport report = view.node(pod.nodeName()).map(NodeSnapshot::report).orElse(null);
    io.chainwatch.model.NodeReport.AgentEndpoints host = hostEndpoints(report);
    Optional<EndpointProblem> apiProblem = apiUsable ? endpointProblem(pod, view) : Optional.empty();
    if (host == null && apiProblem.isEmpty()) {
      return Evaluation.NOTHING;
    }
    Optional<PodSnapshot> readyAgent = agents.stream()
        .filter(agent -> agent.ready() && !agent.terminating())
        .min(Comparator.comparing(AgentHistory::readyAt,
            Comparator.nullsLast(Comparator.naturalOrder())));
    Instant podStart = pod.startedOrCreatedAt();
    if (readyAgent.isEmpty() || podStart == null) {
      return Evaluation.NOTHING; // the node-level verdict covers a node whose agent is not Ready
    }
    PodSnapshot agent = readyAgent.get();
    Instant agentReadyAt = AgentHistory.readyAt(agent);
    if (agentReadyAt == null) {
      return Evaluation.NOTHING;
    }
    Instant evidenceCompleteAt = later(podStart.plus(minPodAge), agentReadyAt.plus(agentSettle));
    if (now.isBefore(evidenceCompleteAt)) {
      return Evaluation.recheckAt(evidenceCompleteAt);
    }
    // the host's list counts only when the probe read it after the pod and the agent had time to meet
    if (host != null && report.observedAt() != null && report.observedAt().isBefore(evidenceCompleteAt)) {
      host = null;
    }
    boolean hostManages = host != null && host.manages(pod.namespace(), pod.name());
    if (host == null && apiProblem.isEmpty()) {
      return Evaluation.NOTHING; // the probe's next report (at most a heartbeat away) is judged when it comes
    }
    if (hostManages && apiProblem.isEmpty()) {
      return Evaluation.NOTHING;
    }
    if (hostManages) {
      return Evaluation.of(unpublished(pod, apiProblem.get(), report, agent, now));
    }
    // the API's verdict where it has one, the host's where only it has one
    Optional<EndpointProblem> problem = apiProblem.isPresent() ? apiProblem
        : Optional.of(new EndpointProblem("not-managed-by-agent", null));

    // the race is about the agent's first Ready on the node, not the latest one after a restart or an upgrade
    Instant firstReadyAt = AgentHistory.firstReadyAt(pod.nodeName(), view);
    if (firstReadyAt == null) {
      firstReadyAt = agentReadyAt;
    }
    boolean chainRace = podStart.isBefore(firstReadyAt);
    // reassigned below when the API and the host disagree
    RestartChoice action = RestartChoice.of(pod, view, " through the full CNI chain");
    String node = pod.nodeName();
    String agentName = agent.namespace() + "/" + agent.name();

    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put(FindingFacts.SUBJECT_UID, pod.uid());
    evidence.put("podStartedAt", podStart.toString());
    evidence.put("owner", pod.owner() == null ? null : pod.owner().kind() + "/" + pod.owner().name());
    evidence.put("ciliumAgent", agentName);
    evidence.put("agentReadySince", agentReadyAt.toString());
    evidence.put("agentFirstReadyAt", firstReadyAt.toString());
    evidence.put(FindingFacts.CHAIN_RACE, chainRace);
    if (chainRace) {
      evidence.put("secondsBeforeAgentReady", Duration.between(podStart, firstReadyAt).getSeconds());
    }
    if (apiUsable) {
      evidence.put("ciliumEndpoint", apiProblem.isEmpty() ? "present"
          : apiProblem.get().stale() == null ? "missing"
          : "owned by another pod UID " + String.join(",", apiProblem.get().stale().ownerPodUids()));
    }
    evidence.put("ciliumNodeRegistered", view.ciliumNode(node).isPresent());
    String hostSays = hostEvidence(view, node, podStart, evidence);
    if (host != null) {
      evidence.put("hostAgentManagesPod", false);
      evidence.put("hostEndpointsObservedAt", report.observedAt().toString());
    }
    boolean disagree = host != null && apiUsable && apiProblem.isEmpty();
    if (disagree) {
      // the API shows the pod's own endpoint while the agent does not list it: a person should look before a restart
      action = RestartChoice.page("the API shows a CiliumEndpoint for it while its node's cilium-agent does not list it (the API "
          + "and the host disagree)");
      evidence.put("hostAgrees", false);
    }
    evidence.put(FindingFacts.ACTION_REASON, action.why());

    String who = "Pod " + pod.namespace() + "/" + pod.name();
    String what = host != null
        ? "cilium-agent on the node does not manage it (the agent's endpoint list, read by the probe at "
            + report.observedAt() + ", has no endpoint for it)"
            + (disagree ? ", although the API shows a CiliumEndpoint for it"
                : apiProblem.isPresent() && apiProblem.get().stale() == null ? " and it has no CiliumEndpoint" : "")
        : problem.get().stale() == null
        ? "it has no CiliumEndpoint"
        : "its CiliumEndpoint belongs to an earlier pod of the same name (UID "
            + String.join(",", problem.get().stale().ownerPodUids()) + ")";
    String summary;
    if (chainRace) {
      summary = who + " started " + Durations.human(Duration.between(podStart, firstReadyAt))
          + " before cilium-agent was first Ready on node " + node + ": the CNI-chain race; " + what
          + ", so it runs without Cilium policy and masquerade. " + action.sentence();
    } else {
      summary = who + " has run for " + Durations.human(Duration.between(podStart, now)) + " on node " + node
          + " without Cilium although cilium-agent has been Ready there since " + firstReadyAt + "; " + what
          + ". " + action.sentence();
    }
    if (hostSays != null) {
      summary = summary + " The host: " + hostSays + ".";
    }
    return Evaluation.of(new Finding(ID, pod.ref(), node, Severity.CRITICAL, action.action(),
        problem.get().reason(), summary, now, evidence));
  }

  /**
   * What the node's probe says about the chain (the CNI configuration the runtime uses, read on the host), added to
   * the API's evidence; when the two disagree the evidence says so. Returns a clause for the summary, or {@code null}
   * when the node has no usable report of it.
   */
  private static String hostEvidence(ClusterView view, String node, Instant podStart, Map<String, Object> evidence) {
    io.chainwatch.model.NodeReport.CniChain cni = view.node(node).map(NodeSnapshot::report)
        .filter(report -> report.problem() == null).map(io.chainwatch.model.NodeReport::cni).orElse(null);
    if (cni == null || cni.error() != null || cni.file() == null) {
      return null;
    }
    evidence.put("hostCniFile", cni.file());
    evidence.put("hostCniHasCilium", cni.cilium());
    if (Boolean.FALSE.equals(cni.cilium())) {
      evidence.put("hostAgrees", true);
      return cni.file() + ", the CNI configuration in use, has no cilium-cni (see cilium-not-in-chain)";
    }
    if (!Boolean.TRUE.equals(cni.cilium()) || cni.modifiedAt() == null) {
      return null;
    }
    evidence.put("hostCiliumInChainSince", cni.modifiedAt().toString());
    boolean agrees = podStart.isBefore(cni.modifiedAt());
    evidence.put("hostAgrees", agrees);
    return agrees
        ? "started " + podStart + "; Cilium joined the chain on this node at " + cni.modifiedAt() + " (" + cni.file()
            + " written then)"
        : "the pod started at " + podStart + ", after " + cni.file() + " with cilium-cni was written ("
            + cni.modifiedAt() + "): the chain was complete, so the missing endpoint has another cause";
  }

  /**
   * The pod has no CiliumEndpoint of its own, but its node's cilium-agent manages it: the pod has Cilium, yet peers on
   * other nodes cannot learn its identity from the API (policy that selects it by labels misjudges its traffic). A
   * restart would not explain why the agent did not publish it: page.
   */
  private static Finding unpublished(PodSnapshot pod, EndpointProblem problem, io.chainwatch.model.NodeReport report,
      PodSnapshot agent, Instant now) {
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put(FindingFacts.SUBJECT_UID, pod.uid());
    evidence.put("ciliumEndpoint", problem.stale() == null ? "missing"
        : "owned by another pod UID " + String.join(",", problem.stale().ownerPodUids()));
    evidence.put("hostAgentManagesPod", true);
    evidence.put("hostEndpointsObservedAt", report.observedAt().toString());
    evidence.put("hostAgrees", false);
    evidence.put("ciliumAgent", agent.namespace() + "/" + agent.name());
    evidence.put(FindingFacts.ACTION_REASON, "the pod did not miss the chain: its agent manages it; what failed is "
        + "publishing its endpoint");
    String summary = "Pod " + pod.namespace() + "/" + pod.name() + " on node " + pod.nodeName() + " has "
        + (problem.stale() == null ? "no CiliumEndpoint" : "only an earlier pod's CiliumEndpoint")
        + ", but its node's cilium-agent manages it (the agent's endpoint list, read by the probe at "
        + report.observedAt() + "): it did not miss the chain, the agent did not publish its endpoint, so other "
        + "nodes cannot tell its identity and policy selecting it misjudges its traffic. Check the agent's "
        + "`sync-to-k8s-ciliumendpoint` controller (cilium-dbg status --all-controllers) and its RBAC on "
        + "ciliumendpoints.";
    return new Finding(ID, pod.ref(), pod.nodeName(), Severity.WARNING, PlannedAction.PAGE, "endpoint-not-published",
        summary, now, evidence);
  }

  private Evaluation evaluateNode(String node, ClusterView view, Instant now) {
    List<PodSnapshot> agents = view.ciliumAgentsOn(node);
    if (agents.isEmpty() || agents.stream().anyMatch(agent -> agent.ready() && !agent.terminating())) {
      return Evaluation.NOTHING;
    }
    PodSnapshot agent = agents.stream()
        .max(Comparator.comparing(AgentHistory::readyAt,
            Comparator.nullsFirst(Comparator.naturalOrder())))
        .orElseThrow();
    Instant notReadySince = AgentHistory.readyAt(agent);
    if (notReadySince != null && now.isBefore(notReadySince.plus(agentSettle))) {
      return Evaluation.recheckAt(notReadySince.plus(agentSettle));
    }
    List<String> affected = new ArrayList<>();
    Instant nextPodDeadline = null;
    for (PodSnapshot pod : view.podsOnNode(node)) {
      if (view.isCiliumAgent(pod) || !chainApplies(pod) || pod.startedOrCreatedAt() == null
          || endpointProblem(pod, view).isEmpty()) {
        continue;
      }
      Instant oldEnoughAt = pod.startedOrCreatedAt().plus(minPodAge);
      if (now.isBefore(oldEnoughAt)) {
        nextPodDeadline = nextPodDeadline == null || oldEnoughAt.isBefore(nextPodDeadline)
            ? oldEnoughAt : nextPodDeadline;
      } else {
        affected.add(pod.namespace() + "/" + pod.name());
      }
    }
    if (affected.isEmpty()) {
      return Evaluation.recheckAt(nextPodDeadline);
    }
    affected.sort(null);
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put("ciliumAgent", agent.namespace() + "/" + agent.name());
    evidence.put("agentNotReadySince", notReadySince == null ? null : notReadySince.toString());
    evidence.put("podsWithoutEndpoint", affected.size());
    evidence.put("pods", List.copyOf(affected.subList(0, Math.min(MAX_LISTED_PODS, affected.size()))));
    evidence.put(FindingFacts.ACTION_REASON, "restarting pods cannot help while the node's cilium-agent is not Ready");
    String summary = "cilium-agent " + agent.namespace() + "/" + agent.name() + " on node " + node
        + " is not Ready" + (notReadySince == null ? "" : " (since " + notReadySince + ")") + " and "
        + affected.size() + (affected.size() == 1 ? " pod there runs" : " pods there run")
        + " without a CiliumEndpoint; restarting them cannot help until the agent is Ready: check the agent's logs"
        + " and events.";
    return new Evaluation(List.of(new Finding(ID, ResourceRef.node(node), node, Severity.CRITICAL,
        PlannedAction.PAGE, "agent-not-ready", summary, now, evidence)), nextPodDeadline);
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
