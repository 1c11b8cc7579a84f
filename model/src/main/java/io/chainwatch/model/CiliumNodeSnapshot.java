package io.chainwatch.model;

import java.util.Objects;

/**
 * A CiliumNode ({@code cilium.io/v2}): its presence shows the agent registered the node with Cilium.
 *
 * @param name node name
 */
public record CiliumNodeSnapshot(String name) implements Snapshot {
  public CiliumNodeSnapshot {
    Objects.requireNonNull(name, "name");
  }

  @Override
  public ResourceRef ref() {
    return new ResourceRef("CiliumNode", null, name);
  }
}
