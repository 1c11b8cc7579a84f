package io.chainwatch.watcher.detect;

import io.chainwatch.model.CiliumNodeSnapshot;
import io.chainwatch.model.ClusterChange;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.SandboxFailureSnapshot;
import io.chainwatch.model.Snapshot;
import io.chainwatch.watcher.view.ClusterView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What the IPAM detectors share: the IPAM mode, a node's capacity and use as its CiliumNode (or its pods) show them,
 * the pods waiting because Cilium's IPAM failed them, and the fix for each mode.
 */
final class IpamFacts {
  /** A sandbox failure older than this no longer says the node is out of addresses now. */
  static final Duration RECENT = Duration.ofMinutes(10);
  /** Modes whose pool the operator grows on demand: how full it is says nothing until the operator cannot grow it. */
  static final Set<String> DYNAMIC = Set.of("eni", "azure", "alibabacloud", "multi-pool");

  private IpamFacts() {}

  /** {@code ipam} of cilium-config, lower case; cluster-pool when unset (Cilium's default). */
  static String mode(ClusterView view) {
    return view.ciliumConfig().map(config -> config.data().get("ipam")).filter(value -> !value.isBlank())
        .map(value -> value.trim().toLowerCase(Locale.ROOT)).orElse("cluster-pool");
  }

  /** Whether Cilium is chained after another CNI, whose IPAM then gives pods their addresses. */
  static boolean chained(ClusterView view) {
    String mode = view.ciliumConfig().map(config -> config.data().get("cni-chaining-mode")).orElse(null);
    return mode != null && !mode.isBlank() && !mode.trim().equalsIgnoreCase("none");
  }

  /**
   * How many addresses the node has and uses.
   *
   * @param basis where the figures come from, for the evidence
   * @param estimated whether {@code used} is counted from pods (cluster-pool and kubernetes modes: the agent does not
   *     publish its use there)
   */
  record Capacity(int capacity, int used, String basis, boolean estimated) {
    int free() {
      return Math.max(0, capacity - used);
    }
  }

  static Optional<Capacity> capacity(String mode, CiliumNodeSnapshot ciliumNode, NodeSnapshot node,
      ClusterView view) {
    CiliumNodeSnapshot.Ipam ipam = ciliumNode.ipam();
    switch (mode) {
      case "crd":
      case "eni":
      case "azure":
      case "alibabacloud":
      case "multi-pool":
        if (ipam.pool() >= 0 && ipam.used() >= 0) {
          return Optional.of(new Capacity(ipam.pool(), ipam.used(), "CiliumNode spec.ipam.pool and "
              + "status.ipam.used", false));
        }
        // multi-pool, and ENI since it builds on multi-pool: the agent publishes CIDRs and its demand, not its use
        int allocated = addresses(ipam.allocatedCidrs(), false);
        return allocated <= 0 ? Optional.empty() : Optional.of(new Capacity(allocated, ipam.neededIpv4(),
            "CiliumNode spec.ipam.pools (allocated CIDRs against the addresses the agent asks for)", false));
      case "cluster-pool":
      case "cluster-pool-v2beta":
      case "kubernetes":
        List<String> cidrs = mode.equals("kubernetes") ? (node == null ? List.of() : node.podCidrs())
            : ipam.podCidrs();
        int capacity = addresses(cidrs, true);
        if (capacity <= 0) {
          return Optional.empty();
        }
        // the router (cilium_host) and health addresses come from the same range
        int used = 2 + (int) view.podsOnNode(ciliumNode.name()).stream()
            .filter(pod -> holdsAnAddress(pod) && !view.isCiliumAgent(pod)).count();
        return Optional.of(new Capacity(capacity, used, (mode.equals("kubernetes") ? "Node spec.podCIDRs"
            : "CiliumNode spec.ipam.podCIDRs") + " against the node's pods (estimated: "
            + "the agent does not publish its use in this mode)", true));
      default:
        return Optional.empty();
    }
  }

  /**
   * A pod that surely holds an address from the node's range: Running on the pod network (a Pending pod may still
   * wait for one; a terminating one still holds its own, so it counts).
   */
  private static boolean holdsAnAddress(PodSnapshot pod) {
    return !pod.hostNetwork() && "Running".equals(pod.phase());
  }

  /** IPv4 addresses in {@code cidrs}; without network and broadcast when {@code hostScope} (as the agent allocates). */
  static int addresses(List<String> cidrs, boolean hostScope) {
    long total = 0;
    for (String text : cidrs) {
      Optional<Cidr> cidr = Cidr.parse(text);
      if (cidr.isEmpty() || cidr.get().network().length != 4) {
        continue; // IPv6 ranges are never the scarce ones
      }
      long size = 1L << (32 - cidr.get().bits());
      total += hostScope && size > 2 ? size - 2 : size;
    }
    return (int) Math.min(Integer.MAX_VALUE, total);
  }

  /** A pod waiting because Cilium's IPAM failed it, with what the agent said last. */
  record Waiting(PodSnapshot pod, SandboxFailureSnapshot failure) {}

  /**
   * Pods on {@code node} still waiting to start (Pending, not terminating) whose latest sandbox failure, within
   * {@link #RECENT}, is Cilium's IPAM failing them.
   */
  static List<Waiting> waiting(String node, ClusterView view, Instant now) {
    List<Waiting> waiting = new ArrayList<>();
    for (PodSnapshot pod : view.podsOnNode(node)) {
      if (pod.terminating() || !"Pending".equals(pod.phase())) {
        continue; // started since, or going
      }
      SandboxFailureSnapshot latest = null;
      for (SandboxFailureSnapshot failure : view.sandboxFailuresOf(pod.namespace(), pod.name())) {
        boolean recent = failure.lastSeen() != null && !failure.lastSeen().isBefore(now.minus(RECENT));
        boolean thisPod = failure.podUid() == null || pod.uid() == null || failure.podUid().equals(pod.uid());
        if (recent && thisPod && failure.ciliumIpamFailure()
            && (latest == null || failure.lastSeen().isAfter(latest.lastSeen()))) {
          latest = failure;
        }
      }
      if (latest != null) {
        waiting.add(new Waiting(pod, latest));
      }
    }
    waiting.sort(java.util.Comparator.comparing((Waiting w) -> w.pod().namespace() + "/" + w.pod().name()));
    return waiting;
  }

  /** Nodes whose verdict a change can move: its CiliumNode, its pods, the sandbox failures of its pods. */
  static Subjects affectedBy(ClusterChange change, ClusterView view) {
    Snapshot latest = change.latest();
    if (latest instanceof CiliumNodeSnapshot ciliumNode) {
      return Subjects.of(List.of(ResourceRef.node(ciliumNode.name())));
    }
    if (latest instanceof PodSnapshot pod) {
      return pod.nodeName() == null ? Subjects.NONE : Subjects.of(List.of(ResourceRef.node(pod.nodeName())));
    }
    if (latest instanceof SandboxFailureSnapshot failure) {
      String node = failure.podName() == null ? null : view.pod(failure.namespace(), failure.podName())
          .map(PodSnapshot::nodeName).orElse(failure.node());
      return node == null ? Subjects.NONE : Subjects.of(List.of(ResourceRef.node(node)));
    }
    if (latest instanceof NodeSnapshot node) {
      return Subjects.of(List.of(node.ref()));
    }
    if (latest instanceof io.chainwatch.model.CiliumConfigSnapshot) {
      return Subjects.ALL;
    }
    return Subjects.NONE;
  }

  /** Nodes with a CiliumNode: the only ones whose IPAM Cilium runs. */
  static Collection<ResourceRef> subjects(ClusterView view) {
    List<ResourceRef> nodes = new ArrayList<>();
    for (NodeSnapshot node : view.nodes()) {
      if (view.ciliumNode(node.name()).isPresent()) {
        nodes.add(node.ref());
      }
    }
    return nodes;
  }

  /** What to do about a full node in {@code mode}. */
  static String fix(String mode) {
    switch (mode) {
      case "cluster-pool":
      case "cluster-pool-v2beta":
        return "The node's pod CIDR is full: lower the node pool's maxPods to fit it, give nodes larger CIDRs "
            + "(ipam.operator.clusterPoolIPv4MaskSize; new nodes only) or add ranges to clusterPoolIPv4PodCIDRList; "
            + "addresses leaked by crashed pods come back when cilium-agent restarts on the node.";
      case "kubernetes":
        return "The node's spec.podCIDR is full: lower maxPods or give nodes larger ranges "
            + "(kube-controller-manager --node-cidr-mask-size; new nodes only).";
      case "eni":
        return "The operator cannot add addresses: the instance's ENI and address limit or the subnet is used up "
            + "(status.ipam.operator-status.error says which): use a larger instance type or prefix delegation "
            + "(eni.awsEnablePrefixDelegation), free or add subnets (eni.subnetTagsFilter), or lower maxPods.";
      case "azure":
        return "The operator cannot add addresses: the VM's interfaces or the subnet have none left: use a larger "
            + "VM size, free or enlarge the subnet, or lower maxPods.";
      case "alibabacloud":
        return "The operator cannot add addresses: the instance's ENI limit or the vSwitch is used up: use a larger "
            + "instance type or add vSwitches.";
      case "multi-pool":
        return "The CiliumPodIPPool has no free CIDR for this node: add CIDRs to the pool (spec.ipv4.cidrs).";
      case "crd":
        return "spec.ipam.pool of the node's CiliumNode (kept by you or your IPAM operator) is used up: add "
            + "addresses.";
      default:
        return "The node's IPAM is out of addresses.";
    }
  }
}
