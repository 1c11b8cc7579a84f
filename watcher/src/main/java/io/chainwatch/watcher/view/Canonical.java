package io.chainwatch.watcher.view;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One shared instance per distinct immutable value that many snapshots repeat: the label set, the controller and the
 * init container names of the pods of one ReplicaSet or DaemonSet are equal, and each copy cost a pod about 200 bytes.
 *
 * <p>Bounded: past {@link #MAX_VALUES} distinct values the table starts over (snapshots keep the values they hold), so
 * a cluster whose pods all differ (StatefulSet pod names in labels, Jobs) costs at most that many entries, and values
 * of deleted pods are let go at the next start-over.
 */
final class Canonical {
  static final int MAX_VALUES = 16_384;
  private static final ConcurrentHashMap<Object, Object> VALUES = new ConcurrentHashMap<>();

  private Canonical() {}

  /** The shared instance equal to {@code value} (which must be immutable), or {@code value} itself as the first. */
  @SuppressWarnings("unchecked")
  static <T> T of(T value) {
    if (value == null) {
      return null;
    }
    Object known = VALUES.get(value);
    if (known != null) {
      return (T) known;
    }
    if (VALUES.size() >= MAX_VALUES) {
      VALUES.clear();
    }
    Object raced = VALUES.putIfAbsent(value, value);
    return raced == null ? value : (T) raced;
  }
}
