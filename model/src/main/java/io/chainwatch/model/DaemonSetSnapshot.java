package io.chainwatch.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the deployment doctor needs to know about a DaemonSet in Cilium's namespace: that it exists (the base CNI's
 * agents, Cilium itself) and which init containers its pods run (Cilium's sysctlfix).
 *
 * @param namespace namespace
 * @param name name
 * @param initContainers names of the pod template's init containers
 * @param labels the DaemonSet's labels (Cilium's chart marks its agent {@code k8s-app: cilium})
 * @param images the pod template's container images (Cilium's tells its version)
 */
public record DaemonSetSnapshot(String namespace, String name, List<String> initContainers, Map<String, String> labels,
    List<String> images) implements Snapshot {
  public DaemonSetSnapshot {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    initContainers = List.copyOf(initContainers);
    labels = Map.copyOf(labels);
    images = List.copyOf(images);
  }

  public DaemonSetSnapshot(String namespace, String name, List<String> initContainers) {
    this(namespace, name, initContainers, Map.of(), List.of());
  }

  @Override
  public ResourceRef ref() {
    return new ResourceRef("DaemonSet", namespace, name);
  }
}
