package io.chainwatch.model;

import java.util.Objects;

/**
 * An informer saw an object appear, change or disappear. The view is already updated when this is published; the
 * message tells the evaluator which keys to re-evaluate.
 *
 * @param ref the object
 * @param before its snapshot before the change, {@code null} when it was added
 * @param after its snapshot after the change, {@code null} when it was deleted
 */
public record ClusterChange(ResourceRef ref, Snapshot before, Snapshot after) implements BusMessage {
  public ClusterChange {
    Objects.requireNonNull(ref, "ref");
    if (before == null && after == null) {
      throw new IllegalArgumentException("a change needs a before or an after snapshot");
    }
  }

  /** The latest known snapshot: {@code after}, or {@code before} for a deletion. */
  public Snapshot latest() {
    return after != null ? after : before;
  }
}
