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

  /** The Node's annotations, for repair requests. */
  @FunctionalInterface
  public interface NodeReader {
    Map<String, String> annotations(String node) throws IOException, InterruptedException;
  }

  private final NodeReader repairRequests;
  private final RepairHandler repairs;
  private String lastReadError;

  public ReportPublisher(String node, HostFacts facts, Writer writer, Duration heartbeat, Duration minInterval) {
    this(node, facts, writer, heartbeat, minInterval, null, null);
  }

  /**
   * @param repairRequests where repair requests are read, {@code null} when repair is off
   * @param repairKey chainwatch's repair signature key; {@code null} refuses every request
   */
  public ReportPublisher(String node, HostFacts facts, Writer writer, Duration heartbeat, Duration minInterval,
      NodeReader repairRequests, RepairSignature repairKey) {
    this.node = node;
    this.facts = facts;
    this.writer = writer;
    this.heartbeat = heartbeat;
    this.minInterval = minInterval;
    this.repairRequests = repairRequests;
    this.repairs = repairRequests == null ? null : new RepairHandler(facts, node, repairKey);
  }

  /** One round: read, compare, maybe write. */
  public Outcome round(Instant now) throws InterruptedException {
    String uplink = facts.uplink();
    boolean answered = false;
    if (repairRequests != null) {
      try {
        answered = repairs.handle(repairRequests.annotations(node), uplink, now);
        lastReadError = null;
      } catch (IOException e) {
        if (!e.getMessage().equals(lastReadError)) {
          System.err.println("chainwatch-probe: repair requests not read: " + Terminal.safe(e.getMessage()));
        }
        lastReadError = e.getMessage();
      }
    }
    Map<String, String> problems = new TreeMap<>();
    Map<String, Integer> rpFilter = facts.rpFilter(uplink, problems);
    NodeReport report = NodeReport.of(now, uplink, rpFilter, problems, facts.health(),
        repairs == null ? null : repairs.lastAnswer(), facts.cni(now), facts.sysctl())
        .withEndpoints(facts.endpoints(now));
    String signature = report.changeSignature();
    boolean changed = !signature.equals(lastSignature);
    boolean heartbeatDue = lastWrite == null || !now.isBefore(lastWrite.plus(heartbeat));
    if (!changed && !heartbeatDue) {
      return Outcome.UNCHANGED;
    }
    // a repair answer is written at once: chainwatch waits for it, and repairs are rare (its rails bound them)
    if (!answered && lastWrite != null && now.isBefore(lastWrite.plus(minInterval))) {
      return Outcome.DEFERRED;
    }
    try {
      writer.write(node, report.text());
    } catch (IOException e) {
      if (!e.getMessage().equals(lastError)) {
        System.err.println("chainwatch-probe: report not written: " + Terminal.safe(e.getMessage()));
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
