package io.chainwatch.watcher.detect;

import io.chainwatch.config.Parsers;
import io.chainwatch.config.Setting;
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
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code endpoint-stuck}: cilium-agent holds a pod's endpoint in a state other than {@code ready}
 * ({@code waiting-for-identity}, {@code regenerating}, {@code not-ready}...) for longer than {@code warnAfter}
 * (warning, page) and {@code criticalAfter} (critical: the pod is restarted when its owner recreates it, else paged).
 * The node's probe asks the agent ({@code endpoints} in its report), so this works with or without CiliumEndpoints.
 *
 * <p>The clock starts at the latest of: when the agent says (or the probe first saw) the endpoint entered its state,
 * when the node's agent became Ready (an agent restart restores and regenerates every endpoint), and when the pod was
 * created (an endpoint older than its pod is an earlier pod's of the same name). Nothing is judged on a node whose
 * agent is not Ready, from a stale report, or for a pod that is gone, terminating or on another node. When most of a
 * node's pods are stuck at once the agent is the problem, not the pods: one node finding pages and no pod is restarted.
 */
public final class EndpointStuckDetector implements Detector {
  public static final String ID = "endpoint-stuck";
  public static final Setting<Duration> WARN_AFTER = new Setting<>("detectors.endpoint-stuck.warnAfter", "PT5M",
      "an ISO-8601 duration of at least PT30S, such as PT5M", Parsers.duration(Duration.ofSeconds(30)),
      "An endpoint not ready this long is reported (warning, page).", false);
  public static final Setting<Duration> CRITICAL_AFTER = new Setting<>("detectors.endpoint-stuck.criticalAfter",
      "PT15M", "an ISO-8601 duration longer than warnAfter, such as PT15M", Parsers.duration(Duration.ofSeconds(30)),
      "After this long it is critical: its pod is restarted when its owner recreates it, else paged.", false);
  /** Its declaration: registered in {@link DetectorCatalog#ALL}. */
  public static final DetectorSpec SPEC = new DetectorSpec(ID, new DetectorText(
      "Cilium endpoint stuck, not ready",
      "On the node: kubectl -n <cilium namespace> exec <agent pod> -- cilium-dbg endpoint get <id> (its log and "
          + "controllers say why: identity allocation failing, a BPF build error, a policy that does not compile). "
          + "A pod alone: restart it. Many pods on one node: look at the agent's logs and its connection to the API "
          + "server or kvstore (identities) before restarting anything."),
      DetectorSpec.enabledSetting(ID, "Report pods whose Cilium endpoint stays out of ready (from the probe's "
          + "report of cilium-agent's endpoints)."),
      null, List.of(WARN_AFTER, CRITICAL_AFTER, Settings.MISSED_CHAIN_AGENT_SETTLE, Settings.PROBE_HEARTBEAT),
      Set.of(NodeSnapshot.class, PodSnapshot.class, io.chainwatch.model.NamespaceSnapshot.class),
      config -> new EndpointStuckDetector(config.value(WARN_AFTER), config.value(CRITICAL_AFTER),
          config.value(Settings.PROBE_HEARTBEAT)));

  /** Stuck pods on one node from which the node, not its pods, is the problem (with at least half of its pods). */
  static final int NODE_WIDE_MIN_PODS = 5;
  private static final int MAX_LISTED_PODS = 20;

  private final Duration warnAfter;
  private final Duration criticalAfter;
  private final Duration staleAfter;

  /**
   * @param heartbeat the probe's heartbeat: a report older than three says nothing about now (probe-silent speaks)
   * @throws io.chainwatch.config.ConfigException when criticalAfter is not longer than warnAfter
   */
  public EndpointStuckDetector(Duration warnAfter, Duration criticalAfter, Duration heartbeat) {
    if (criticalAfter.compareTo(warnAfter) <= 0) {
      throw new io.chainwatch.config.ConfigException(List.of(CRITICAL_AFTER.path() + " must be longer than "
          + WARN_AFTER.path() + " (" + warnAfter + "), got " + criticalAfter));
    }
    this.warnAfter = warnAfter;
    this.criticalAfter = criticalAfter;
    this.staleAfter = heartbeat.multipliedBy(3);
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
    if (change.latest() instanceof PodSnapshot pod && pod.nodeName() != null) {
      return Subjects.of(List.of(ResourceRef.node(pod.nodeName())));
    }
    if (change.latest() instanceof io.chainwatch.model.NamespaceSnapshot) {
      return Subjects.ALL; // a namespace's remediation opt-out changes the action
    }
    return Subjects.NONE;
  }

  @Override
  public Collection<ResourceRef> allSubjects(ClusterView view) {
    return HostReports.nodesWithReports(view);
  }

  private record Stuck(PodSnapshot pod, NodeReport.AgentEndpoint endpoint, Instant since) {}

  @Override
  public Evaluation evaluate(ResourceRef subject, ClusterView view, Instant now) {
    NodeReport report = HostReports.reportOf(subject, view).orElse(null);
    NodeReport.AgentEndpoints endpoints = report == null ? null : report.endpoints();
    if (endpoints == null || endpoints.error() != null || endpoints.notReady().isEmpty()
        || report.observedAt() == null || report.observedAt().isBefore(now.minus(staleAfter))) {
      return Evaluation.NOTHING;
    }
    String node = subject.name();
    PodSnapshot agent = view.ciliumAgentsOn(node).stream().filter(a -> a.ready() && !a.terminating()).findFirst()
        .orElse(null);
    Instant agentReadyAt = agent == null ? null : AgentHistory.readyAt(agent);
    if (agentReadyAt == null) {
      return Evaluation.NOTHING; // the agent is down or restarting: its endpoints are restored once it is Ready
    }
    List<Stuck> stuck = new ArrayList<>();
    Instant recheck = null;
    for (NodeReport.AgentEndpoint endpoint : endpoints.notReady()) {
      if (endpoint.pod() == null) {
        continue; // the agent's own (health, host, ingress): cilium-health-local-endpoint speaks for health
      }
      int slash = endpoint.pod().indexOf('/');
      PodSnapshot pod = view.pod(endpoint.pod().substring(0, slash), endpoint.pod().substring(slash + 1))
          .orElse(null);
      if (pod == null || pod.terminating() || !node.equals(pod.nodeName()) || pod.hostNetwork()) {
        continue; // gone, going (disconnecting is expected), or not this endpoint's pod
      }
      Instant since = latest(endpoint.since(), agentReadyAt, pod.createdAt());
      Instant warnAt = since.plus(warnAfter);
      if (now.isBefore(warnAt)) {
        recheck = earliest(recheck, warnAt);
        continue;
      }
      stuck.add(new Stuck(pod, endpoint, since));
      Instant criticalAt = since.plus(criticalAfter);
      if (now.isBefore(criticalAt)) {
        recheck = earliest(recheck, criticalAt);
      }
    }
    if (stuck.isEmpty()) {
      return Evaluation.recheckAt(recheck);
    }
    int podEndpoints = endpoints.pods().size() + endpoints.podsOmitted();
    if (stuck.size() >= NODE_WIDE_MIN_PODS && stuck.size() * 2 >= podEndpoints) {
      return new Evaluation(List.of(nodeWide(node, agent, agentReadyAt, stuck, podEndpoints, now)), recheck);
    }
    List<Finding> findings = new ArrayList<>();
    for (Stuck one : stuck) {
      findings.add(podFinding(node, agent, one, view, now));
    }
    return new Evaluation(findings, recheck);
  }

  private Finding podFinding(String node, PodSnapshot agent, Stuck stuck, ClusterView view, Instant now) {
    PodSnapshot pod = stuck.pod();
    NodeReport.AgentEndpoint endpoint = stuck.endpoint();
    Duration stuckFor = Duration.between(stuck.since(), now);
    boolean critical = stuckFor.compareTo(criticalAfter) >= 0;
    String who = "Pod " + pod.namespace() + "/" + pod.name();
    RestartChoice choice = critical
        ? RestartChoice.of(pod, view, ", and the agent builds a new endpoint for the new pod")
        : new RestartChoice(PlannedAction.PAGE, "not stuck for " + Durations.human(criticalAfter)
            + " yet (detectors.endpoint-stuck.criticalAfter)", "chainwatch restarts it if it is still stuck at "
            + stuck.since().plus(criticalAfter) + " and its owner recreates it.");
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put(FindingFacts.SUBJECT_UID, pod.uid());
    evidence.put("endpointId", endpoint.id());
    evidence.put("endpointState", endpoint.state());
    evidence.put("stateSince", endpoint.since().toString());
    evidence.put("stateSinceFrom", endpoint.sinceFrom());
    evidence.put("stuckSince", stuck.since().toString());
    evidence.put("ciliumAgent", agent.namespace() + "/" + agent.name());
    evidence.put("owner", pod.owner() == null ? null : pod.owner().kind() + "/" + pod.owner().name());
    evidence.put(FindingFacts.ACTION_REASON, choice.why());
    String summary = who + " on node " + node + ": cilium-agent has held its endpoint " + endpoint.id() + " in "
        + endpoint.state() + " for " + Durations.human(stuckFor) + " (since " + stuck.since()
        + (endpoint.sinceFrom().equals("agent") ? ", from the agent's endpoint log" : ", as the probe saw it") + "): "
        + meaning(endpoint.state()) + ". " + choice.sentence();
    return new Finding(ID, pod.ref(), node, critical ? Severity.CRITICAL : Severity.WARNING, choice.action(),
        endpoint.state(), summary, now, evidence);
  }

  private Finding nodeWide(String node, PodSnapshot agent, Instant agentReadyAt, List<Stuck> stuck,
      int podEndpoints, Instant now) {
    Map<String, Integer> byState = new java.util.TreeMap<>();
    List<String> pods = new ArrayList<>();
    for (Stuck one : stuck) {
      byState.merge(one.endpoint().state(), 1, Integer::sum);
      pods.add(one.pod().namespace() + "/" + one.pod().name());
    }
    pods.sort(null);
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put("ciliumAgent", agent.namespace() + "/" + agent.name());
    evidence.put("agentReadySince", agentReadyAt.toString());
    evidence.put("stuckPods", stuck.size());
    evidence.put("podEndpoints", podEndpoints);
    evidence.put("byState", byState);
    evidence.put("pods", List.copyOf(pods.subList(0, Math.min(MAX_LISTED_PODS, pods.size()))));
    evidence.put(FindingFacts.ACTION_REASON, "most of the node's endpoints are stuck: the agent is the problem, and "
        + "restarting its pods would only make it build more");
    String summary = "Node " + node + ": cilium-agent " + agent.namespace() + "/" + agent.name() + " holds "
        + stuck.size() + " of its " + podEndpoints + " pod endpoints out of ready for at least "
        + Durations.human(warnAfter) + " (" + byState + "): the agent cannot finish them (identity allocation "
        + "through the API server or kvstore, a BPF build failing); look at its logs and `cilium-dbg status` before "
        + "restarting anything.";
    return new Finding(ID, ResourceRef.node(node), node, Severity.CRITICAL, PlannedAction.PAGE, "node-wide", summary,
        now, evidence);
  }

  /** What the state means for the pod's traffic, in a clause. */
  static String meaning(String state) {
    switch (state) {
      case "waiting-for-identity":
        return "the agent cannot get it a security identity, so its policy and datapath are not in place and peers "
            + "cannot tell who it is";
      case "restoring":
        return "the agent has not restored it since it restarted";
      case "waiting-to-regenerate":
      case "regenerating":
      case "not-ready":
        return "its datapath program was not rebuilt, so policy changes since then are not enforced (a new endpoint "
            + "may have no connectivity at all)";
      case "disconnecting":
      case "disconnected":
        return "the agent is tearing it down while its pod still runs";
      case "invalid":
        return "the agent marked it invalid";
      default:
        return "it is not ready (state " + state + ")";
    }
  }

  private static Instant latest(Instant... instants) {
    Instant latest = null;
    for (Instant instant : instants) {
      if (instant != null && (latest == null || instant.isAfter(latest))) {
        latest = instant;
      }
    }
    return latest;
  }

  private static Instant earliest(Instant a, Instant b) {
    return a == null || b.isBefore(a) ? b : a;
  }
}
