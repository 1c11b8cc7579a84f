package io.chainwatch.probe;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the host facts and writes the report when it changed or the heartbeat is due, never more often than the
 * minimum interval: at 5,000 nodes the API server sees a heartbeat per node every few minutes and a write only when
 * something meaningful moved.
 */
public final class ReportPublisher {
  /** What a round did. */
  public enum Outcome { WRITTEN, UNCHANGED, DEFERRED, FAILED }

  private final String node;
  private final HostFacts facts;
  private final Writer writer;
  private final Duration heartbeat;
  private final Duration minInterval;
  private String lastSignature;
  private Instant lastWrite;
  private String lastError;

  /** Where the report goes. */
  @FunctionalInterface
  public interface Writer {
    void write(String node, String report) throws IOException, InterruptedException;
  }

  public ReportPublisher(String node, HostFacts facts, Writer writer, Duration heartbeat, Duration minInterval) {
    this.node = node;
    this.facts = facts;
    this.writer = writer;
    this.heartbeat = heartbeat;
    this.minInterval = minInterval;
  }

  /** One round: read, compare, maybe write. */
  public Outcome round(Instant now) throws InterruptedException {
    String uplink = facts.uplink();
    Map<String, String> problems = new TreeMap<>();
    Map<String, Integer> rpFilter = facts.rpFilter(uplink, problems);
    NodeReport report = NodeReport.of(now, uplink, rpFilter, problems, facts.health());
    String signature = report.changeSignature();
    boolean changed = !signature.equals(lastSignature);
    boolean heartbeatDue = lastWrite == null || !now.isBefore(lastWrite.plus(heartbeat));
    if (!changed && !heartbeatDue) {
      return Outcome.UNCHANGED;
    }
    if (lastWrite != null && now.isBefore(lastWrite.plus(minInterval))) {
      return Outcome.DEFERRED;
    }
    try {
      writer.write(node, report.text());
    } catch (IOException e) {
      if (!e.getMessage().equals(lastError)) {
        System.err.println("chainwatch-probe: report not written: " + e.getMessage());
      }
      lastError = e.getMessage();
      return Outcome.FAILED;
    }
    lastError = null;
    lastSignature = signature;
    lastWrite = now;
    return Outcome.WRITTEN;
  }
}
