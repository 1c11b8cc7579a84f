package io.chainwatch.model;

import java.util.Map;
import java.util.Objects;

/**
 * The {@code cilium-config} ConfigMap's data.
 *
 * @param namespace namespace it was read from
 * @param name ConfigMap name
 * @param data its {@code data} map
 */
public record CiliumConfigSnapshot(String namespace, String name, Map<String, String> data) implements Snapshot {
  public CiliumConfigSnapshot {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    data = Map.copyOf(data);
  }

  @Override
  public ResourceRef ref() {
    return new ResourceRef("ConfigMap", namespace, name);
  }

  /** {@code disable-endpoint-crd: "true"}: Cilium creates no CiliumEndpoints, so a missing one proves nothing. */
  public boolean endpointCrdDisabled() {
    return "true".equalsIgnoreCase(data.getOrDefault("disable-endpoint-crd", "").trim());
  }
}
