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
 */
public record EndpointSnapshot(String namespace, String name, List<String> ownerPodUids, String state)
    implements Snapshot {
  public EndpointSnapshot {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    ownerPodUids = List.copyOf(ownerPodUids);
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
