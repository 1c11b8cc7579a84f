package io.chainwatch.probe;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Asks cilium-health for its status over its unix socket ({@code GET /v1beta/status}) and keeps the element of
 * {@code nodes[]} whose {@code name} equals {@code local.name}, over {@link UnixSocketHttp}: bounded in time and size,
 * a slow or broken agent costs at most {@code timeout} and never hangs the probe.
 */
public final class CiliumHealthClient {
  private static final int MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path socket;
  private final Duration timeout;
  /** Rounds in a row whose connection the socket refused. */
  private volatile int refusedInARow;
  /** After this many refused rounds the mounted socket is taken for stale (see {@link #looksStale}). */
  static final int STALE_AFTER_REFUSALS = 3;

  public CiliumHealthClient(Path socket, Duration timeout) {
    this.socket = socket;
    this.timeout = timeout;
  }

  public HealthReading localNode() {
    if (!Files.exists(socket)) {
      return HealthReading.failed("cilium-health socket " + socket + " does not exist (is cilium-agent running here, "
          + "and is its health socket mounted into the probe?)");
    }
    String body;
    try {
      body = get("/v1beta/status");
      refusedInARow = 0;
    } catch (java.net.ConnectException e) {
      refusedInARow++;
      return HealthReading.failed("cilium-health at " + socket + " refused the connection (" + refusedInARow
          + " rounds in a row): cilium-agent is down, or it restarted and created its socket anew"
          + (looksStale() ? "; the probe restarts to mount the current socket" : ""));
    } catch (IOException e) {
      refusedInARow = 0;
      return HealthReading.failed("cilium-health at " + socket + ": " + e.getMessage());
    }
    JsonNode status;
    try {
      status = JSON.readTree(body);
    } catch (JacksonException e) {
      return HealthReading.failed("cilium-health answered with malformed JSON: "
          + e.getOriginalMessage().replace('\n', ' '));
    }
    String local = status.path("local").path("name").asText(null);
    if (local == null || local.isEmpty()) {
      return HealthReading.failed("cilium-health status has no local.name");
    }
    for (JsonNode node : status.path("nodes")) {
      if (local.equals(node.path("name").asText(null))) {
        return HealthReading.of(node);
      }
    }
    return HealthReading.failed("cilium-health status lists no node named " + local + " (local.name)");
  }

  /**
   * Whether the socket the probe holds is most likely stale. The probe mounts the socket file alone: when cilium-agent
   * restarts it unlinks and creates its socket anew, and the bind mount keeps the old, dead one, which refuses every
   * connection for good. Only a new container mounts the current one, so the probe exits and the kubelet restarts it.
   */
  public boolean looksStale() {
    return refusedInARow >= STALE_AFTER_REFUSALS;
  }

  String get(String path) throws IOException {
    return UnixSocketHttp.getString(socket, path, timeout, MAX_RESPONSE_BYTES);
  }
}
