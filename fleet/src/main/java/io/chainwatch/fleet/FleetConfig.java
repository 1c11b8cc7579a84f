package io.chainwatch.fleet;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The fleet correlator's settings.
 *
 * @param auditTopics the clusters' audit topics, by pattern ({@code CHAINWATCH_FLEET_AUDIT_TOPICS},
 *     {@code chainwatch\.audit.*})
 * @param fleetTopic where fleet incidents go ({@code CHAINWATCH_FLEET_TOPIC}, {@code chainwatch.fleet})
 * @param minClusters clusters that must show one cause for a fleet incident ({@code CHAINWATCH_FLEET_MIN_CLUSTERS}, 2)
 * @param window how recent a cluster's finding must be to count ({@code CHAINWATCH_FLEET_WINDOW}, PT30M)
 */
public record FleetConfig(Pattern auditTopics, String fleetTopic, int minClusters, Duration window) {
  public FleetConfig {
    Objects.requireNonNull(auditTopics, "auditTopics");
    Objects.requireNonNull(fleetTopic, "fleetTopic");
    Objects.requireNonNull(window, "window");
    if (minClusters < 2) {
      throw new IllegalArgumentException("CHAINWATCH_FLEET_MIN_CLUSTERS must be at least 2 (one cluster is its own "
          + "chainwatch's incident), got " + minClusters);
    }
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("CHAINWATCH_FLEET_WINDOW must be a positive ISO-8601 duration, got " + window);
    }
  }

  /** From the environment, every problem named with its variable and value. */
  public static FleetConfig fromEnv(Map<String, String> env) {
    String pattern = env.getOrDefault("CHAINWATCH_FLEET_AUDIT_TOPICS", "chainwatch\\.audit.*");
    Pattern topics;
    try {
      topics = Pattern.compile(pattern);
    } catch (java.util.regex.PatternSyntaxException e) {
      throw new IllegalArgumentException("CHAINWATCH_FLEET_AUDIT_TOPICS must be a regular expression, got \""
          + pattern + "\" (" + e.getDescription() + ")");
    }
    String min = env.getOrDefault("CHAINWATCH_FLEET_MIN_CLUSTERS", "2");
    int minClusters;
    try {
      minClusters = Integer.parseInt(min.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("CHAINWATCH_FLEET_MIN_CLUSTERS must be an integer, got \"" + min + "\"");
    }
    String window = env.getOrDefault("CHAINWATCH_FLEET_WINDOW", "PT30M");
    Duration parsed;
    try {
      parsed = Duration.parse(window.trim());
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("CHAINWATCH_FLEET_WINDOW must be an ISO-8601 duration such as PT30M, got \""
          + window + "\"");
    }
    return new FleetConfig(topics, env.getOrDefault("CHAINWATCH_FLEET_TOPIC", "chainwatch.fleet"), minClusters,
        parsed);
  }
}
