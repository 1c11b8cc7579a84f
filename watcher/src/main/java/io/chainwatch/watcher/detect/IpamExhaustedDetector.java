package io.chainwatch.watcher.detect;

import io.chainwatch.model.CiliumConfigSnapshot;
import io.chainwatch.model.CiliumNodeSnapshot;
import io.chainwatch.model.ClusterChange;
import io.chainwatch.model.DetectorText;
import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingFacts;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.SandboxFailureSnapshot;
import io.chainwatch.model.Severity;
import io.chainwatch.watcher.view.ClusterView;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code ipam-exhausted} (critical, page: a restart cannot help): pods on a node wait to start because Cilium's IPAM
 * could not give them an address. The evidence is the agent's own: kubelet {@code FailedCreatePodSandBox} Events
 * whose message carries cilium-cni's {@code unable to allocate IP via local cilium agent} (with the agent's reason:
 * {@code range is full}, {@code all CIDR ranges are exhausted}), seen within the last 10 minutes for pods still
 * Pending. The node's CiliumNode adds its pool and use per IPAM mode; when it shows free addresses while the agent
 * says none, the finding says the two disagree (cilium/cilium#46598 and #47910: ENI prefix delegation, multi-pool) and
 * that restarting the node's agent has cleared it. A node that is full with nothing waiting is {@code
 * ipam-near-exhaustion}'s, never this.
 */
public final class IpamExhaustedDetector implements Detector {
  public static final String ID = "ipam-exhausted";
  /** Its declaration: registered in {@link DetectorCatalog#ALL}. */
  public static final DetectorSpec SPEC = new DetectorSpec(ID, new DetectorText("Node out of pod IP addresses",
      "kubectl get ciliumnode <node> -o yaml (spec.ipam, status.ipam.operator-status) and kubectl describe pod on a "
          + "waiting pod; then the fix for the IPAM mode named in the finding. Restarting the waiting pods does not "
          + "help: they wait for an address, not for a retry.",
      io.chainwatch.model.FleetDimension.NODE_POOL),
      DetectorSpec.enabledSetting(ID, "Report nodes where pods wait because Cilium's IPAM has no address for them "
          + "(from the kubelet's FailedCreatePodSandBox Events)."),
      null, List.of(), Set.of(CiliumNodeSnapshot.class, PodSnapshot.class, SandboxFailureSnapshot.class,
          NodeSnapshot.class, CiliumConfigSnapshot.class),
      config -> new IpamExhaustedDetector());

  private static final int MAX_LISTED = 10;

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Subjects affectedBy(ClusterChange change, ClusterView view) {
    return IpamFacts.affectedBy(change, view);
  }

  @Override
  public Collection<ResourceRef> allSubjects(ClusterView view) {
    return IpamFacts.subjects(view);
  }

  @Override
  public Evaluation evaluate(ResourceRef subject, ClusterView view, Instant now) {
    String node = subject.name();
    CiliumNodeSnapshot ciliumNode = view.ciliumNode(node).orElse(null);
    if (ciliumNode == null) {
      return Evaluation.NOTHING;
    }
    List<IpamFacts.Waiting> waiting = IpamFacts.waiting(node, view, now);
    if (waiting.isEmpty()) {
      return Evaluation.NOTHING;
    }
    String mode = IpamFacts.mode(view);
    Optional<IpamFacts.Capacity> capacity = IpamFacts.capacity(mode, ciliumNode, view.node(node).orElse(null), view);
    IpamFacts.Waiting newest = waiting.stream().max(java.util.Comparator.comparing(w -> w.failure().lastSeen()))
        .orElseThrow();
    List<String> pods = waiting.stream().map(w -> w.pod().namespace() + "/" + w.pod().name()).toList();
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put("ipamMode", mode);
    evidence.put("waitingPods", waiting.size());
    evidence.put("pods", List.copyOf(pods.subList(0, Math.min(MAX_LISTED, pods.size()))));
    // not the time of the last failure: the kubelet retries every few seconds, and each would be a new finding
    evidence.put("agentSays", newest.failure().ipamError());
    capacity.ifPresent(c -> {
      evidence.put("capacity", c.capacity());
      evidence.put("used", c.used());
      evidence.put("basis", c.basis());
    });
    String operatorError = ciliumNode.ipam().operatorError();
    if (operatorError != null) {
      evidence.put("operatorError", operatorError);
    }
    boolean disagree = capacity.isPresent() && !capacity.get().estimated() && capacity.get().free() > 0;
    evidence.put(FindingFacts.ACTION_REASON, "the pods wait for an address; restarting them cannot make one");
    StringBuilder summary = new StringBuilder("Node ").append(node).append(" cannot give pods an IP address: ")
        .append(waiting.size()).append(waiting.size() == 1 ? " pod waits" : " pods wait").append(" to start (")
        .append(String.join(", ", pods.subList(0, Math.min(3, pods.size())))).append(pods.size() > 3 ? ", ..." : "")
        .append("), and cilium-agent says \"").append(newest.failure().ipamError()).append("\" (")
        .append(mode).append(" IPAM");
    capacity.ifPresent(c -> summary.append(": ").append(c.used()).append(c.estimated() ? " in use (estimated)" : " in use")
        .append(" of ").append(c.capacity()));
    summary.append(")");
    if (operatorError != null) {
      summary.append("; the operator reports: ").append(operatorError);
    }
    summary.append(". ");
    if (disagree) {
      summary.append("Yet its CiliumNode shows ").append(capacity.get().free()).append(" free: the agent and the "
          + "operator disagree (as in cilium/cilium#46598 and #47910 with ENI prefix delegation and multi-pool); "
          + "restarting cilium-agent on the node has cleared it. ");
    }
    summary.append(IpamFacts.fix(mode));
    return Evaluation.of(new Finding(ID, subject, node, Severity.CRITICAL, PlannedAction.PAGE,
        disagree ? "agent-and-operator-disagree" : "no-address", summary.toString(), now, evidence));
  }
}
