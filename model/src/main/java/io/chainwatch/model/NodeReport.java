package io.chainwatch.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the node probe reported on its Node ({@code chainwatch.io/node-report}), as detectors read it.
 *
 * @param observedAt when the probe read the facts
 * @param uplink the uplink interface, {@code null} when the probe found none
 * @param rpFilter rp_filter per interface as read (not yet combined with {@code all})
 * @param health the local cilium-health endpoint, {@code null} when cilium-health could not be read
 * @param healthError why cilium-health could not be read, {@code null} when it was
 * @param problem why the report itself could not be read (malformed, unknown version); when set, the other fields
 *     are empty and detectors treat the node as not reported
 */
public record NodeReport(
    Instant observedAt,
    String uplink,
    Map<String, Integer> rpFilter,
    LocalHealth health,
    String healthError,
    String problem) {
  public NodeReport {
    rpFilter = Map.copyOf(rpFilter);
  }

  public static NodeReport unreadable(String problem) {
    return new NodeReport(null, null, Map.of(), null, null, Objects.requireNonNull(problem, "problem"));
  }

  /**
   * The value the kernel applies on {@code iface}: max({@code all}, {@code iface}); {@code null} when the interface
   * was not reported.
   */
  public Integer effectiveRpFilter(String iface) {
    Integer own = rpFilter.get(iface);
    if (own == null) {
      return null;
    }
    return Math.max(own, rpFilter.getOrDefault("all", 0));
  }

  /**
   * The local node's cilium-health endpoint as cilium-health sees it: each address (primary, secondaries) counted
   * reachable, unreachable or unknown by upstream's rules (a missing ICMP or HTTP result is unknown, an empty status
   * reachable, a non-empty status the error of an unreachable path).
   *
   * @param endpointPresent the node has a health endpoint at all (CNI chaining has none)
   * @param reachable addresses reachable
   * @param unreachable addresses unreachable
   * @param unknown addresses not (yet) probed
   * @param errors the error texts of unreachable addresses, {@code address: error}
   */
  public record LocalHealth(boolean endpointPresent, int reachable, int unreachable, int unknown,
      List<String> errors) {
    public LocalHealth {
      errors = List.copyOf(errors);
    }
  }
}
