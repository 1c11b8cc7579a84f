package io.chainwatch.model;

import java.util.List;
import java.util.Objects;

/**
 * What the deployment doctor needs to know about a DaemonSet in Cilium's namespace: that it exists (the base CNI's
 * agents, Cilium itself) and which init containers its pods run (Cilium's sysctlfix).
 *
 * @param namespace namespace
 * @param name name
 * @param initContainers names of the pod template's init containers
 */
public record DaemonSetSnapshot(String namespace, String name, List<String> initContainers) implements Snapshot {
  public DaemonSetSnapshot {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    initContainers = List.copyOf(initContainers);
  }

  @Override
  public ResourceRef ref() {
    return new ResourceRef("DaemonSet", namespace, name);
  }
}
