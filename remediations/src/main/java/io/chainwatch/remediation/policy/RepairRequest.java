package io.chainwatch.remediation.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A repair request as chainwatch writes it on a Node ({@code chainwatch.io/rp-filter-repair}) for the node's probe.
 * The annotation is also the repair's durable record: its attempts drive the node's cooldown and hourly limit, so a
 * restart of chainwatch (or a new leader) never forgets a repair.
 *
 * @param id unique per request; the probe answers with it
 * @param requestedAt when chainwatch asked
 * @param expiresAt the probe ignores the request after this
 * @param values rp_filter values to write, by interface
 * @param findingKey the finding that asked for it
 * @param attempts request times for this node within the last hour, this one included
 */
public record RepairRequest(String id, Instant requestedAt, Instant expiresAt, Map<String, Integer> values,
    String findingKey, List<Instant> attempts) {
  public static final String ANNOTATION = "chainwatch.io/rp-filter-repair";
  public static final int VERSION = 1;
  static final Duration ATTEMPT_WINDOW = Duration.ofHours(1);

  public RepairRequest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(requestedAt, "requestedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    values = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(values)); // sorted: it is shown
    attempts = List.copyOf(attempts);
  }

  /** Attempts within the hour before {@code now}. */
  public List<Instant> attemptsSince(Instant since) {
    return attempts.stream().filter(at -> at.isAfter(since)).toList();
  }

  /** The next request for the same node: a new id, and the attempts of the last hour carried over. */
  public static RepairRequest next(RepairRequest previous, String id, Instant now, Duration ttl,
      Map<String, Integer> values, String findingKey) {
    List<Instant> attempts = new java.util.ArrayList<>(previous == null ? List.of()
        : previous.attemptsSince(now.minus(ATTEMPT_WINDOW)));
    attempts.add(now);
    return new RepairRequest(id, now, now.plus(ttl), values, findingKey, attempts);
  }
}
