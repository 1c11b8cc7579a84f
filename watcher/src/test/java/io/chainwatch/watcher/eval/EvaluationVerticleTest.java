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
}
