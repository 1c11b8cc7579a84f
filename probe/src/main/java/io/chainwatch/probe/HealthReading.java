package io.chainwatch.probe;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What cilium-health said about the local node.
 *
 * @param localNode the local node's element of {@code nodes[]}, verbatim; {@code null} when it could not be read
 * @param error why it could not be read; {@code null} when it was
 */
public record HealthReading(JsonNode localNode, String error) {
  public static HealthReading of(JsonNode localNode) {
    return new HealthReading(localNode, null);
  }

  public static HealthReading failed(String error) {
    return new HealthReading(null, error);
  }
}
