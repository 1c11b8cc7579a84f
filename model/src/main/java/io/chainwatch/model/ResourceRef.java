package io.chainwatch.model;

import java.util.Objects;

/**
 * Names one Kubernetes object without holding it.
 *
 * @param kind Kubernetes kind, such as {@code Pod}
 * @param namespace namespace, or {@code null} for cluster-scoped objects
 * @param name object name
 */
public record ResourceRef(String kind, String namespace, String name) {
  public ResourceRef {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
  }

  public static ResourceRef pod(String namespace, String name) {
    return new ResourceRef("Pod", namespace, name);
  }

  public static ResourceRef node(String name) {
    return new ResourceRef("Node", null, name);
  }

  /** Renders {@code kind/namespace/name}, or {@code kind/name} when cluster-scoped. */
  public String key() {
    return namespace == null ? kind + "/" + name : kind + "/" + namespace + "/" + name;
  }

  @Override
  public String toString() {
    return key();
  }
}
