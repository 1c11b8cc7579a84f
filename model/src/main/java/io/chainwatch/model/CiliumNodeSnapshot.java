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
public record CiliumNodeSnapshot(String name, Instant createdAt) implements Snapshot {
  public CiliumNodeSnapshot {
    Objects.requireNonNull(name, "name");
  }

  public CiliumNodeSnapshot(String name) {
    this(name, null);
  }

  @Override
  public ResourceRef ref() {
    return new ResourceRef("CiliumNode", null, name);
  }
}
