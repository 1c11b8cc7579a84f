package io.chainwatch.config;

import java.time.Instant;
import java.util.Objects;

/**
 * A configured silence: incidents about this node, namespace or detector are audited but not paged until a time.
 *
 * @param kind {@code node}, {@code namespace} or {@code detector}
 * @param name the node, namespace or detector id
 * @param until when the silence ends
 */
public record Silence(String kind, String name, Instant until) {
  public Silence {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(until, "until");
  }
}
