package io.chainwatch.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A CiliumNode ({@code cilium.io/v2}): its presence shows the agent registered the node with Cilium.
 *
 * @param name node name
 * @param createdAt its creation time: when Cilium's agent first started on the node. The object outlives agent
 *     restarts and upgrades, so this stays the first start where the agent pod's own times move on every restart;
 *     {@code null} when unknown
 */
public record CiliumNodeSnapshot(String name, Instant createdAt, Ipam ipam) implements Snapshot {
  public CiliumNodeSnapshot {
    Objects.requireNonNull(name, "name");
    ipam = ipam == null ? Ipam.NONE : ipam;
  }

  public CiliumNodeSnapshot(String name) {
    this(name, null, null);
  }

  public CiliumNodeSnapshot(String name, Instant createdAt) {
    this(name, createdAt, null);
  }

  /**
   * The node's IPAM as its CiliumNode shows it (fields of {@code pkg/ipam/types}: {@code spec.ipam.podCIDRs},
   * {@code spec.ipam.pool}, {@code spec.ipam.pools}, {@code status.ipam.used},
   * {@code status.ipam.operator-status.error}). Which fields count depends on the IPAM mode.
   *
   * @param podCidrs the node's pod CIDRs (cluster-pool)
   * @param pool how many addresses {@code spec.ipam.pool} lists (ENI, Azure, AlibabaCloud, crd); -1 when absent
   * @param used how many addresses {@code status.ipam.used} lists; -1 when absent
   * @param allocatedCidrs CIDRs the operator allocated from multi-pool pools ({@code spec.ipam.pools.allocated})
   * @param neededIpv4 IPv4 addresses the agent asks for from multi-pool pools ({@code spec.ipam.pools.requested})
   * @param operatorError the operator's allocation error, {@code null} when none
   */
  public record Ipam(java.util.List<String> podCidrs, int pool, int used, java.util.List<String> allocatedCidrs,
      int neededIpv4, String operatorError) {
    public static final Ipam NONE = new Ipam(java.util.List.of(), -1, -1, java.util.List.of(), 0, null);

    public Ipam {
      podCidrs = java.util.List.copyOf(podCidrs);
      allocatedCidrs = java.util.List.copyOf(allocatedCidrs);
    }
  }

  @Override
  public ResourceRef ref() {
    return new ResourceRef("CiliumNode", null, name);
  }
}
