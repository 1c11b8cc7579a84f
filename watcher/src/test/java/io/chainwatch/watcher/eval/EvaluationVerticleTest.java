package io.chainwatch.watcher.eval;

import static io.chainwatch.watcher.Fixtures.T0;
import static io.chainwatch.watcher.Fixtures.agent;
import static io.chainwatch.watcher.Fixtures.at;
import static io.chainwatch.watcher.Fixtures.node;
import static io.chainwatch.watcher.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chainwatch.bus.BusAddresses;
import io.chainwatch.bus.BusCodecs;
import io.chainwatch.config.MissedChainConfig;
import io.chainwatch.model.Finding;
import io.chainwatch.watcher.Fixtures;
import io.chainwatch.watcher.detect.MissedCiliumChainDetector;
import io.chainwatch.watcher.health.WatcherMetrics;
import io.chainwatch.watcher.view.ClusterState;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EvaluationVerticleTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** A view wired to the bus through the gate, as Chainwatch wires it. */
  private ClusterState stateFeeding(ChangeGate gate) {
    BusCodecs.registerAll(vertx.eventBus());
    return new ClusterState(Fixtures.AGENTS, change -> {
      if (gate.tryAcquire()) {
        vertx.eventBus().publish(BusAddresses.CLUSTER_CHANGES, change, new DeliveryOptions().setLocalOnly(true));
      }
    });
  }

  private static EvaluationVerticle evaluator(ClusterState state, ChangeGate gate) {
    return new EvaluationVerticle(state,
        List.of(new MissedCiliumChainDetector(new MissedChainConfig(Duration.ofSeconds(30),
            Duration.ofSeconds(30)))),
        Clock.fixed(at(600), ZoneOffset.UTC), Duration.ofHours(1), gate, new WatcherMetrics());
  }

  @Test
  void droppedChangesAreCountedAndACatchUpSweepStillFindsEveryPod() throws Exception {
    ChangeGate gate = new ChangeGate(1);
    ClusterState state = stateFeeding(gate);
    EvaluationVerticle evaluator = evaluator(state, gate);
    List<Finding> published = new CopyOnWriteArrayList<>();
    vertx.eventBus().<Finding>localConsumer(BusAddresses.FINDINGS, m -> published.add(m.body()));
    vertx.deployVerticle(evaluator).await(5, TimeUnit.SECONDS);
    evaluator.activate().await(5, TimeUnit.SECONDS);

    state.put(node("node-1"));
    state.put(agent("node-1", at(60)).build());
    for (int i = 0; i < 50; i++) {
      state.put(pod("shop", "racer-" + i).started(T0).build());
    }

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(published).hasSize(50));
    assertThat(gate.dropped()).isPositive();
    assertThat(evaluator.openFindings().await(5, TimeUnit.SECONDS)).hasSize(50);
  }

  @Test
  void changesBeforeActivationAreIgnoredAndTheFirstSweepJudgesEverything() throws Exception {
    ChangeGate gate = new ChangeGate(1000);
    ClusterState state = stateFeeding(gate);
    EvaluationVerticle evaluator = evaluator(state, gate);
    vertx.deployVerticle(evaluator).await(5, TimeUnit.SECONDS);

    state.put(node("node-1"));
    state.put(agent("node-1", at(60)).build());
    state.put(pod("shop", "racer").started(T0).build());
    await().atMost(Duration.ofSeconds(5)).until(() -> gate.inFlight() == 0);
    List<Finding> beforeActivation = evaluator.openFindings().await(5, TimeUnit.SECONDS);
    evaluator.activate().await(5, TimeUnit.SECONDS);

    assertThat(beforeActivation).isEmpty();
    assertThat(evaluator.openFindings().await(5, TimeUnit.SECONDS)).hasSize(1);
  }

  /**
   * The missed-chain detector, 1 ms slower per subject but one ({@code late}): a sweep of many pods takes seconds.
   * Says when the sweep it was told to watch for has begun.
   */
  private static final class SlowDetector implements io.chainwatch.watcher.detect.Detector {
    private final MissedCiliumChainDetector chain = new MissedCiliumChainDetector(new MissedChainConfig(
        Duration.ofSeconds(30), Duration.ofSeconds(30)));
    volatile java.util.concurrent.CountDownLatch sweeping = new java.util.concurrent.CountDownLatch(0);

    @Override
    public String id() {
      return chain.id();
    }

    @Override
    public java.util.Optional<java.util.Set<Class<? extends io.chainwatch.model.Snapshot>>> reads() {
      return chain.reads();
    }

    @Override
    public io.chainwatch.watcher.detect.Subjects affectedBy(io.chainwatch.model.ClusterChange change,
        io.chainwatch.watcher.view.ClusterView view) {
      return chain.affectedBy(change, view);
    }

    @Override
    public java.util.Collection<io.chainwatch.model.ResourceRef> allSubjects(
        io.chainwatch.watcher.view.ClusterView view) {
      return chain.allSubjects(view);
    }

    @Override
    public io.chainwatch.watcher.detect.Evaluation evaluate(io.chainwatch.model.ResourceRef subject,
        io.chainwatch.watcher.view.ClusterView view, java.time.Instant now) {
      if (!subject.name().equals("late")) {
        sweeping.countDown();
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
      }
      return chain.evaluate(subject, view, now);
    }
  }

  private record SlowSetup(ClusterState state, SlowDetector slow, EvaluationVerticle evaluator) {}

  /** An evaluator of just a {@link SlowDetector} over {@code pods} pods without endpoints, its first sweep done. */
  private SlowSetup activatedOverPods(int pods) throws Exception {
    ChangeGate gate = new ChangeGate(1000);
    ClusterState state = stateFeeding(gate);
    SlowDetector slow = new SlowDetector();
    EvaluationVerticle evaluator = new EvaluationVerticle(state, List.of(slow), Clock.fixed(at(600), ZoneOffset.UTC),
        Duration.ofHours(1), gate, new WatcherMetrics());
    vertx.deployVerticle(evaluator).await(5, TimeUnit.SECONDS);
    state.put(node("node-1"));
    state.put(agent("node-1", at(60)).build());
    for (int i = 0; i < pods; i++) {
      state.put(pod("shop", "racer-" + i).started(T0).build());
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.inFlight() == 0);
    evaluator.activate().await(60, TimeUnit.SECONDS);
    return new SlowSetup(state, slow, evaluator);
  }

  @Test
  void aChangeDuringALongSweepIsJudgedWithinASliceNotAfterTheWholeSweep() throws Exception {
    SlowSetup setup = activatedOverPods(1000);
    ClusterState state = setup.state();
    SlowDetector slow = setup.slow();
    EvaluationVerticle evaluator = setup.evaluator();
    java.util.concurrent.atomic.AtomicLong lateJudgedAt = new java.util.concurrent.atomic.AtomicLong();
    vertx.eventBus().<Finding>localConsumer(BusAddresses.FINDINGS, m -> {
      if (m.body().resource().name().equals("late")) {
        lateJudgedAt.set(System.nanoTime());
      }
    });

    slow.sweeping = new java.util.concurrent.CountDownLatch(1);
    long started = System.nanoTime();
    // taken on the evaluator's loop as the sweep ends: a change held back behind it is judged after this
    java.util.concurrent.atomic.AtomicLong sweepDoneAt = new java.util.concurrent.atomic.AtomicLong();
    io.vertx.core.Future<Void> sweep = evaluator.sweepNow().onComplete(v -> sweepDoneAt.set(System.nanoTime()));
    assertThat(slow.sweeping.await(30, TimeUnit.SECONDS)).isTrue();
    state.put(pod("shop", "late").started(T0).build());
    sweep.await(60, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> lateJudgedAt.get() != 0 && sweepDoneAt.get() != 0);

    assertThat(TimeUnit.NANOSECONDS.toMillis(sweepDoneAt.get() - started)).as("1000 subjects at 1 ms or more each")
        .isGreaterThanOrEqualTo(1000);
    assertThat(lateJudgedAt.get()).as("the change is judged while the sweep still runs")
        .isLessThan(sweepDoneAt.get());
    assertThat(evaluator.openFindings().await(5, TimeUnit.SECONDS)).hasSize(1001);
  }

  @Test
  void aSweepAskedForWhileOneRunsFollowsItAndBothComplete() throws Exception {
    SlowSetup setup = activatedOverPods(200);
    SlowDetector slow = setup.slow();
    EvaluationVerticle evaluator = setup.evaluator();

    slow.sweeping = new java.util.concurrent.CountDownLatch(1);
    java.util.Map<String, Long> doneAt = new java.util.concurrent.ConcurrentHashMap<>();
    io.vertx.core.Future<Void> first = evaluator.sweepNow().onComplete(v -> doneAt.put("first", System.nanoTime()));
    assertThat(slow.sweeping.await(30, TimeUnit.SECONDS)).isTrue();
    io.vertx.core.Future<Void> second = evaluator.sweepNow().onComplete(v -> doneAt.put("second", System.nanoTime()));
    io.vertx.core.Future<Void> third = evaluator.sweepNow().onComplete(v -> doneAt.put("third", System.nanoTime()));
    first.await(60, TimeUnit.SECONDS);
    second.await(60, TimeUnit.SECONDS);
    third.await(60, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> doneAt.size() == 3);

    // the two asked for during the first are one more sweep after it, of 200 subjects at 1 ms or more each
    assertThat(TimeUnit.NANOSECONDS.toMillis(doneAt.get("second") - doneAt.get("first"))).isGreaterThanOrEqualTo(200);
    assertThat(Math.abs(doneAt.get("third") - doneAt.get("second"))).isLessThan(TimeUnit.MILLISECONDS.toNanos(200));
    assertThat(evaluator.openFindings().await(5, TimeUnit.SECONDS)).hasSize(200);
  }
}
