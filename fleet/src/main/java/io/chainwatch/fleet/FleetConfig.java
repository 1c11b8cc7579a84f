package io.chainwatch.fleet;

import io.chainwatch.config.Parsers;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The fleet correlator's settings, each from an environment variable (default in brackets).
 *
 * @param auditTopics the clusters' audit topics, by pattern ({@code CHAINWATCH_FLEET_AUDIT_TOPICS},
 *     {@code chainwatch\.audit(\..+)?}: one shared topic or one per cluster)
 * @param inventoryTopics the clusters' node inventory topics, by pattern ({@code CHAINWATCH_FLEET_INVENTORY_TOPICS},
 *     {@code chainwatch\.inventory(\..+)?})
 * @param fleetTopic where fleet incidents go ({@code CHAINWATCH_FLEET_TOPIC}, {@code chainwatch.fleet})
 * @param minClusters clusters that must show one cause ({@code CHAINWATCH_FLEET_MIN_CLUSTERS}, 2)
 * @param minSharePercent or: the share of one dimension value's nodes (an OS image's, a pool's) across the fleet that
 *     must show it ({@code CHAINWATCH_FLEET_MIN_SHARE_PERCENT}, 20)
 * @param minNodes and at least this many nodes for the share rule ({@code CHAINWATCH_FLEET_MIN_NODES}, 3): one node of
 *     a rare image is not a fleet problem
 * @param window how close in time findings must be to count together ({@code CHAINWATCH_FLEET_WINDOW}, PT30M)
 */
public record FleetConfig(Pattern auditTopics, Pattern inventoryTopics, String fleetTopic, int minClusters,
    int minSharePercent, int minNodes, Duration window) {
  public FleetConfig {
    Objects.requireNonNull(auditTopics, "auditTopics");
    Objects.requireNonNull(inventoryTopics, "inventoryTopics");
    Objects.requireNonNull(fleetTopic, "fleetTopic");
    Objects.requireNonNull(window, "window");
    if (minClusters < 2) {
      throw new IllegalArgumentException("CHAINWATCH_FLEET_MIN_CLUSTERS must be at least 2 (one cluster is its own "
          + "chainwatch's incident), got " + minClusters);
    }
    if (minSharePercent < 1 || minSharePercent > 100) {
      throw new IllegalArgumentException("CHAINWATCH_FLEET_MIN_SHARE_PERCENT must be between 1 and 100, got "
          + minSharePercent);
    }
    if (minNodes < 2) {
      throw new IllegalArgumentException("CHAINWATCH_FLEET_MIN_NODES must be at least 2 (one node is that node's "
          + "incident), got " + minNodes);
    }
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("CHAINWATCH_FLEET_WINDOW must be a positive ISO-8601 duration, got " + window);
    }
    if (fleetTopic.isBlank() || auditTopics.matcher(fleetTopic).matches()
        || inventoryTopics.matcher(fleetTopic).matches()) {
      throw new IllegalArgumentException("CHAINWATCH_FLEET_TOPIC must be a topic name that neither "
          + "CHAINWATCH_FLEET_AUDIT_TOPICS nor CHAINWATCH_FLEET_INVENTORY_TOPICS matches (the fleet would read its "
          + "own incidents), got \"" + fleetTopic + "\"");
    }
  }

  /** The defaults, for tests and the benchmark. */
  public static FleetConfig defaults() {
    return fromEnv(Map.of());
  }

  /** From the environment, every problem named with its variable and value. */
  public static FleetConfig fromEnv(Map<String, String> env) {
    Function<String, Integer> integer = Parsers.integer(Integer.MIN_VALUE, Integer.MAX_VALUE);
    return new FleetConfig(
        FleetEnv.read(env, "CHAINWATCH_FLEET_AUDIT_TOPICS", "chainwatch\\.audit(\\..+)?", Pattern::compile,
            "a regular expression"),
        FleetEnv.read(env, "CHAINWATCH_FLEET_INVENTORY_TOPICS", "chainwatch\\.inventory(\\..+)?", Pattern::compile,
            "a regular expression"),
        FleetEnv.read(env, "CHAINWATCH_FLEET_TOPIC", "chainwatch.fleet", Parsers::kafkaTopicOrEmpty,
            "a Kafka topic name"),
        FleetEnv.read(env, "CHAINWATCH_FLEET_MIN_CLUSTERS", "2", integer, "an integer"),
        FleetEnv.read(env, "CHAINWATCH_FLEET_MIN_SHARE_PERCENT", "20", integer, "an integer"),
        FleetEnv.read(env, "CHAINWATCH_FLEET_MIN_NODES", "3", integer, "an integer"),
        FleetEnv.read(env, "CHAINWATCH_FLEET_WINDOW", "PT30M", Parsers.duration(Duration.ZERO),
            "an ISO-8601 duration such as PT30M (at most 3650 days)"));
  }
}
