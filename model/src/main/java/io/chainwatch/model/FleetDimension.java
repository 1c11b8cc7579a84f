package io.chainwatch.model;

import java.util.Locale;

/**
 * The fact about a node that explains a detector's findings across clusters: the same OS image resetting rp_filter,
 * the same pool template missing the taint, the same Cilium version with a race. It completes a finding's cause
 * fingerprint (detector, reason and this dimension's value), which the fleet correlator groups by.
 */
public enum FleetDimension {
  /** {@code status.nodeInfo.osImage}: what the host's OS does (systemd-sysctl defaults). */
  OS_IMAGE,
  /** The node's pool (its template: taints, bootstrap). */
  NODE_POOL,
  /** {@code status.nodeInfo.kernelVersion}. */
  KERNEL,
  /** {@code status.nodeInfo.kubeletVersion}. */
  KUBELET,
  /** The Cilium agent's version (its image tag). */
  CILIUM_VERSION;

  /** {@code os-image}, {@code node-pool}, ...: as written in records and headers. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** This dimension's value among {@code facts}, {@code null} when unknown. */
  public String of(NodeFacts facts) {
    return switch (this) {
      case OS_IMAGE -> facts.osImage();
      case NODE_POOL -> facts.nodePool();
      case KERNEL -> facts.kernel();
      case KUBELET -> facts.kubelet();
      case CILIUM_VERSION -> facts.ciliumVersion();
    };
  }
}
