package io.chainwatch.model;

import java.util.List;
import java.util.Objects;

/**
 * What detectors need to know about a CiliumEndpoint ({@code cilium.io/v2}). Cilium names an endpoint after its pod.
 *
 * @param namespace endpoint namespace (the pod's)
 * @param name endpoint name (the pod's)
 * @param ownerPodUids UIDs in {@code metadata.ownerReferences} with kind Pod
 * @param state {@code status.state}, {@code null} when absent
 * @param addresses {@code status.networking.addressing[].ipv4} and {@code .ipv6}
 * @param identityId {@code status.identity.id}, 0 when absent ({@value #INIT_IDENTITY}: {@code reserved:init})
 * @param createdAt its creation time, {@code null} when unknown
 */
public record EndpointSnapshot(String namespace, String name, List<String> ownerPodUids, String state,
    List<String> addresses, long identityId, java.time.Instant createdAt) implements Snapshot {
  /** Cilium's {@code reserved:init} identity: an endpoint whose labels are not resolved yet. */
  public static final long INIT_IDENTITY = 5;

  public EndpointSnapshot {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    ownerPodUids = List.copyOf(ownerPodUids);
    addresses = List.copyOf(addresses);
  }

  public EndpointSnapshot(String namespace, String name, List<String> ownerPodUids, String state) {
    this(namespace, name, ownerPodUids, state, List.of(), 0, null);
  }

  @Override
  public ResourceRef ref() {
    return new ResourceRef("CiliumEndpoint", namespace, name);
  }

  /** True when this endpoint was created for the pod with this UID, not for an earlier pod of the same name. */
  public boolean ownedBy(String podUid) {
    return podUid != null && ownerPodUids.contains(podUid);
  }
}
