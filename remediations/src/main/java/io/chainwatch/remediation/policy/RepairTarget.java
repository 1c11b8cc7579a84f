package io.chainwatch.remediation.policy;

import io.chainwatch.model.NodeSnapshot;
import java.util.Map;

/**
 * The facts a repair finding is judged against, read from the cluster view right before deciding.
 *
 * @param node the node now, {@code null} when it is gone
 * @param previous the last repair request written on it, {@code null} when none (or unreadable: see
 *     {@code previousProblem})
 * @param previousProblem why the node's repair annotation could not be read, {@code null} when it could
 * @param values the rp_filter values its latest report says must be written (empty: nothing to write)
 * @param nodesRequestedInWindow nodes with a repair request within the breaker window, this one not counted
 */
public record RepairTarget(NodeSnapshot node, RepairRequest previous, String previousProblem,
    Map<String, Integer> values, int nodesRequestedInWindow) {
  public RepairTarget {
    values = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(values)); // sorted: it is shown
  }
}
