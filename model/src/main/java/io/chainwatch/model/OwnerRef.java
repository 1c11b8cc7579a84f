package io.chainwatch.model;

import java.util.Objects;

/**
 * The controlling owner of a pod ({@code ownerReferences[controller=true]}).
 *
 * @param kind owner kind, e.g. {@code ReplicaSet}
 * @param name owner name
 * @param uid owner UID
 */
public record OwnerRef(String kind, String name, String uid) {
  public OwnerRef {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
  }
}
