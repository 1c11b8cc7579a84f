package io.chainwatch.watcher.detect;

import io.chainwatch.config.Parsers;
import io.chainwatch.config.Setting;
import io.chainwatch.model.CiliumConfigSnapshot;
import io.chainwatch.model.ClusterChange;
import io.chainwatch.model.DetectorText;
import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingFacts;
import io.chainwatch.model.NamespaceSnapshot;
import io.chainwatch.model.NodeSnapshot;
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
import java.util.Set;

/**
 * {@code datapath-not-ready-after-taint} (warning, restart): on a young node, pods that started within {@code window}
 * after chainwatch saw the agent-not-ready taint leave it, and that have stayed not Ready for {@code notReadyAfter},
 * while pods started on the node later became Ready: the agent was Ready, but its datapath was not yet for the first
 * pods (reported on Cilium 1.19 with ENI and Karpenter), and they never recover. A restart gives them a datapath that
 * is there now.
 *
 * <p>Only {@code run} can judge it: the time the taint left the node is what this view saw, and a dump has none
 * ({@code scan} says the detector is inactive). Not judged: nodes that were not young when the taint left (an old
 * node's taint coming and going is another story), pods started before the removal or after the window, Ready,
 * terminating or hostNetwork pods, and nodes where no later pod became Ready (then the node as a whole is broken, and
 * restarting its first pods proves nothing).
 */
public final class DatapathNotReadyAfterTaintDetector implements Detector {
  public static final String ID = "datapath-not-ready-after-taint";
  public static final Setting<Duration> WINDOW = new Setting<>("detectors.datapath-not-ready-after-taint.window",
      "PT1M", "an ISO-8601 duration such as PT1M", Parsers.duration(Duration.ofSeconds(1)),
      "Pods started within this after the agent-not-ready taint left a node are the ones watched.", false);
  public static final Setting<Duration> NOT_READY_AFTER = new Setting<>(
      "detectors.datapath-not-ready-after-taint.notReadyAfter", "PT5M", "an ISO-8601 duration such as PT5M",
      Parsers.duration(Duration.ofSeconds(30)), "Such a pod not Ready this long after it started is reported.", false);
  /** A node is young when the taint leaves it within this of its creation. */
  static final Duration YOUNG = Duration.ofHours(1);
  /** Its declaration: registered in {@link DetectorCatalog#ALL}. */
  public static final DetectorSpec SPEC = new DetectorSpec(ID, new DetectorText(
      "Pods started before the node's datapath was ready",
      "Restart the listed pods (their owner recreates them with a working datapath). If it recurs on new nodes, "
          + "delay scheduling after the taint leaves (Cilium's agent-not-ready taint is removed when the agent is "
          + "Ready, not when every datapath program is loaded) and check the agent's logs for the first endpoints."),
      DetectorSpec.enabledSetting(ID, "Report pods that started right after the agent-not-ready taint left a new node "
          + "and never became Ready while later pods did (run only)."),
      null, List.of(WINDOW, NOT_READY_AFTER), Set.of(NodeSnapshot.class, PodSnapshot.class,
          CiliumConfigSnapshot.class, NamespaceSnapshot.class),
      config -> new DatapathNotReadyAfterTaintDetector(config.value(WINDOW), config.value(NOT_READY_AFTER)));

  private final Duration window;
  private final Duration notReadyAfter;

  public DatapathNotReadyAfterTaintDetector(Duration window, Duration notReadyAfter) {
    this.window = Objects.requireNonNull(window, "window");
    this.notReadyAfter = Objects.requireNonNull(notReadyAfter, "notReadyAfter");
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Optional<String> inactiveReason(ClusterView view) {
    return view.live() ? Optional.empty() : Optional.of("it needs the time the agent-not-ready taint left each node, "
        + "which only a running chainwatch sees; a dump does not hold it");
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
    if (latest instanceof CiliumConfigSnapshot || latest instanceof NamespaceSnapshot) {
      return Subjects.ALL;
    }
    return Subjects.NONE;
  }

  @Override
  public Collection<ResourceRef> allSubjects(ClusterView view) {
    if (!view.live()) {
      return List.of();
    }
    String taintKey = CiliumFacts.of(view).taintKey();
    List<ResourceRef> nodes = new ArrayList<>();
    for (NodeSnapshot node : view.nodes()) {
      if (view.taintRemovedAt(node.name(), taintKey).isPresent()) {
        nodes.add(node.ref());
      }
    }
    return nodes;
  }

  @Override
  public Evaluation evaluate(ResourceRef subject, ClusterView view, Instant now) {
    String taintKey = CiliumFacts.of(view).taintKey();
    Instant removedAt = view.taintRemovedAt(subject.name(), taintKey).orElse(null);
    NodeSnapshot node = view.node(subject.name()).orElse(null);
    if (removedAt == null || node == null || node.createdAt() == null
        || removedAt.isAfter(node.createdAt().plus(YOUNG))) {
      return Evaluation.NOTHING;
    }
    Instant windowEnd = removedAt.plus(window);
    List<PodSnapshot> early = new ArrayList<>();
    List<PodSnapshot> laterReady = new ArrayList<>();
    Instant recheck = null;
    for (PodSnapshot pod : view.podsOnNode(node.name())) {
      Instant started = pod.startedOrCreatedAt();
      if (started == null || pod.hostNetwork() || pod.terminating() || view.isCiliumAgent(pod)) {
        continue;
      }
      if (started.isAfter(windowEnd)) {
        if (pod.ready()) {
          laterReady.add(pod);
        }
        continue;
      }
      if (started.isBefore(removedAt) || pod.ready() || !(pod.running() || "Pending".equals(pod.phase()))) {
        continue;
      }
      Instant due = started.plus(notReadyAfter);
      if (now.isBefore(due)) {
        recheck = recheck == null || due.isBefore(recheck) ? due : recheck;
      } else {
        early.add(pod);
      }
    }
    if (early.isEmpty() || laterReady.isEmpty()) {
      return Evaluation.recheckAt(recheck); // nothing stuck yet, or the node as a whole is not working
    }
    List<Finding> findings = new ArrayList<>();
    for (PodSnapshot pod : early) {
      findings.add(finding(pod, node, removedAt, taintKey, laterReady, view, now));
    }
    return new Evaluation(findings, recheck);
  }

  private Finding finding(PodSnapshot pod, NodeSnapshot node, Instant removedAt, String taintKey,
      List<PodSnapshot> laterReady, ClusterView view, Instant now) {
    Instant started = pod.startedOrCreatedAt();
    boolean sameOwnerLater = pod.owner() != null && laterReady.stream()
        .anyMatch(other -> Objects.equals(other.ownerKey(), pod.ownerKey()));
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put(FindingFacts.SUBJECT_UID, pod.uid());
    evidence.put("taintKey", taintKey);
    evidence.put("taintRemovedAt", removedAt.toString());
    evidence.put("podStartedAt", started.toString());
    evidence.put("secondsAfterTaintRemoval", Duration.between(removedAt, started).getSeconds());
    evidence.put("laterPodReady", true); // the count is in the summary: each new Ready pod is no new finding
    evidence.put("sameOwnerLaterReady", sameOwnerLater);
    RestartChoice choice = RestartChoice.of(pod, view, ", on a datapath that is ready now");
    evidence.put(FindingFacts.ACTION_REASON, choice.why());
    String summary = "Pod " + pod.namespace() + "/" + pod.name() + " started on node " + node.name() + " "
        + Durations.human(Duration.between(removedAt, started)) + " after the " + taintKey + " taint left the node"
        + " (" + removedAt + ") and has not been Ready for " + Durations.human(Duration.between(started, now))
        + ", while " + laterReady.size() + " pod(s) started there later are Ready"
        + (sameOwnerLater ? ", one of them of the same owner" : "") + ": it most likely started before the "
        + "node's datapath was ready, and does not recover by itself. " + choice.sentence();
    return new Finding(ID, pod.ref(), node.name(), Severity.WARNING, choice.action(), "not-ready-since-taint-removal",
        summary, now, evidence);
  }
}
