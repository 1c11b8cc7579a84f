package io.chainwatch.model;

import java.util.Objects;

/**
 * What detectors need to know about a namespace.
 *
 * @param name namespace name
 * @param remediationDisabled annotated {@code chainwatch.io/remediation: disabled}
 */
public record NamespaceSnapshot(String name, boolean remediationDisabled) implements Snapshot {
  public NamespaceSnapshot {
    Objects.requireNonNull(name, "name");
  }

  @Override
  public ResourceRef ref() {
    return new ResourceRef("Namespace", null, name);
  }
}
