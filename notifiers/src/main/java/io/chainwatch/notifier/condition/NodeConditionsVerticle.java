package io.chainwatch.notifier.condition;

import io.chainwatch.bus.BlockingWork;
import io.chainwatch.bus.BusAddresses;
import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingCleared;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps chainwatch's node-level verdicts on the Nodes as conditions ({@link NodeConditionBook}), so that
 * node-problem-detector users, the Node Readiness Controller, NodeHealthCheck and the descheduler can act on them. Only
 * the leader writes; writes are paced ({@link #WRITES_PER_TICK} per second) and go through {@link NodeConditionWriter}
 * off the event loop. Problems are written as soon as they are found; {@code True} only once the first judgement has
 * settled, so that a starting replica never clears a condition it has not judged yet.
 */
public final class NodeConditionsVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(NodeConditionsVerticle.class);
  static final Duration TICK = Duration.ofSeconds(1);
  /** At 5,000 nodes the first round of True conditions takes about eight minutes; problems go first. */
  static final int WRITES_PER_TICK = 10;
  /**
   * A node whose write failed or kept conflicting is tried again after a second, doubling up to this long; a change of
   * what chainwatch wants on it (a new problem) is written at the next tick whatever the wait.
   */
  static final Duration RETRY_AFTER = Duration.ofMinutes(1);

  /** When a node whose write did not go through may be tried again, and what the write carried. */
  private record Retry(Instant at, Duration backoff, List<NodeConditionBook.Condition> conditions) {}

  private final NodeConditionWriter writer;
  private final Supplier<Collection<NodeConditionBook.Subject>> subjects;
  private final BooleanSupplier leading;
  private final BooleanSupplier judging;
  private final Clock clock;
  /** After judging starts, how long findings have to arrive before the absence of one counts as True. */
  private final Duration settle;
  private final NodeConditionBook book = new NodeConditionBook();
  private final Map<String, Retry> retries = new HashMap<>();
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong ticks = new AtomicLong();
  private Instant judgingSince;
  private boolean wasLeading;
  private boolean writing;

  /**
   * @param subjects the nodes chainwatch judges (those that run a Cilium agent) and whether their probe reports
   * @param leading whether this replica may write now
   * @param judging whether evaluation has started
   * @param settle after judging starts, how long before a condition may be set True
   */
  public NodeConditionsVerticle(NodeConditionWriter writer, Supplier<Collection<NodeConditionBook.Subject>> subjects,
      BooleanSupplier leading, BooleanSupplier judging, Clock clock, Duration settle) {
    this.settle = Objects.requireNonNull(settle, "settle");
    this.writer = Objects.requireNonNull(writer, "writer");
    this.subjects = Objects.requireNonNull(subjects, "subjects");
    this.leading = Objects.requireNonNull(leading, "leading");
    this.judging = Objects.requireNonNull(judging, "judging");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public Future<?> start() {
    var bus = vertx.eventBus();
    bus.<Finding>localConsumer(BusAddresses.FINDINGS, m -> book.onFinding(m.body()));
    bus.<FindingCleared>localConsumer(BusAddresses.FINDINGS_CLEARED, m -> book.onCleared(m.body().finding()));
    vertx.setPeriodic(TICK.toMillis(), id -> tick());
    return Future.succeededFuture();
  }

  /** Conditions written (or found already there). */
  public long written() {
    return written.get();
  }

  /** Writes that failed (refused, conflicts that did not settle); retried after a second, backing off to a minute. */
  public long failed() {
    return failed.get();
  }

  /** Ticks run so far, led or not (tests wait on it rather than on the clock). */
  long ticks() {
    return ticks.get();
  }

  private void tick() {
    ticks.incrementAndGet();
    Instant now = clock.instant();
    if (!leading.getAsBoolean()) {
      wasLeading = false;
      return;
    }
    if (!wasLeading) {
      book.forgetWhatIsOnNodes(); // a new leader reads each Node before it writes (the writer skips what is there)
      wasLeading = true;
    }
    if (judgingSince == null && judging.getAsBoolean()) {
      judgingSince = now;
    }
    if (writing || judgingSince == null) {
      return;
    }
    boolean withTrue = !now.isBefore(judgingSince.plus(settle));
    Map<String, List<NodeConditionBook.Condition>> pending = book.pending(subjects.get(), withTrue);
    List<Map.Entry<String, List<NodeConditionBook.Condition>>> batch = new ArrayList<>();
    for (Map.Entry<String, List<NodeConditionBook.Condition>> entry : pending.entrySet()) {
      Retry retry = retries.get(entry.getKey());
      if (retry != null && now.isBefore(retry.at()) && retry.conditions().equals(entry.getValue())) {
        continue;
      }
      batch.add(entry);
      if (batch.size() == WRITES_PER_TICK) {
        break;
      }
    }
    if (batch.isEmpty()) {
      return;
    }
    writing = true;
    BlockingWork.onWorker(vertx, () -> {
      Map<String, NodeConditionWriter.Result> results = new HashMap<>();
      for (Map.Entry<String, List<NodeConditionBook.Condition>> entry : batch) {
        results.put(entry.getKey(), writer.write(entry.getKey(), entry.getValue(), now));
      }
      return results;
    }).onComplete(done -> {
      writing = false;
      if (done.failed()) {
        LOG.warn("Node conditions not written: {}", done.cause().toString());
        return;
      }
      for (Map.Entry<String, List<NodeConditionBook.Condition>> entry : batch) {
        NodeConditionWriter.Result result = done.result().get(entry.getKey());
        switch (result) {
          case WRITTEN, ALREADY_THERE -> {
            book.onNode(entry.getKey(), entry.getValue());
            retries.remove(entry.getKey());
            written.incrementAndGet();
          }
          case NODE_GONE -> {
            book.forget(entry.getKey());
            retries.remove(entry.getKey());
          }
          default -> {
            failed.incrementAndGet();
            Retry before = retries.get(entry.getKey());
            Duration wait = before == null ? TICK : min(before.backoff().multipliedBy(2), RETRY_AFTER);
            retries.put(entry.getKey(), new Retry(now.plus(wait), wait, entry.getValue()));
            LOG.warn("Conditions of node {} not written ({}); retrying in {}", entry.getKey(), result, wait);
          }
        }
      }
    });
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
