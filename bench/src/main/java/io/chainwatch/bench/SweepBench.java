package io.chainwatch.bench;

import io.chainwatch.config.ChainwatchConfig;
import io.chainwatch.watcher.Configuration;
import io.chainwatch.watcher.detect.Detectors;
import io.chainwatch.watcher.eval.ChangeGate;
import io.chainwatch.watcher.eval.EvaluationVerticle;
import io.chainwatch.watcher.health.WatcherMetrics;
import io.chainwatch.watcher.view.AgentIdentity;
import io.chainwatch.watcher.view.ClusterState;
import io.chainwatch.watcher.view.Projections;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.chainwatch.bus.BusAddresses;
import io.chainwatch.bus.BusCodecs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.concurrent.locks.LockSupport;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The evaluator's full sweep (every enabled detector over every subject of the view), as the first one after the
 * informers synced and the periodic safety net run it: how long it holds the evaluator's event loop, during which no
 * cluster change is judged. The view holds pods (every tenth without a CiliumEndpoint), endpoints, nodes and their
 * agents, as the pipeline benchmark's.
 */
final class SweepBench {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /**
   * @param firstMillis the first sweep, after the informers synced (every finding new)
   * @param steadyMillis a later sweep (every finding already open: what the periodic sweep does)
   * @param eventDuringSweepMillis a pod added 5 ms into the later sweep: how long its change waited on the bus
   *     until the evaluator took it (without a sweep: well under a millisecond)
   */
  record Result(int pods, double firstMillis, double steadyMillis, double eventDuringSweepMillis) {}

  private final Workload workload = new Workload();

  Result measure(int pods) throws Exception {
    ChainwatchConfig config = Configuration.load(null, Map.of());
    Vertx vertx = Vertx.vertx();
    try {
      BusCodecs.registerAll(vertx.eventBus());
      ChangeGate gate = new ChangeGate(10_000);
      // as Chainwatch: no change on the bus before the first sweep, which reads the whole view
      java.util.concurrent.atomic.AtomicBoolean changesWanted = new java.util.concurrent.atomic.AtomicBoolean();
      ClusterState view = new ClusterState(AgentIdentity.from(config), change -> {
        if (changesWanted.get() && gate.tryAcquire()) {
          vertx.eventBus().publish(BusAddresses.CLUSTER_CHANGES, change, new DeliveryOptions().setLocalOnly(true));
        }
      });
      long resourceVersion = 1;
      for (int n = 0; n < Workload.nodeCount(pods + 1); n++) {
        view.put(project(Workload.node(n, ++resourceVersion)));
        view.put(project(Workload.agent(n, ++resourceVersion)));
      }
      for (int i = 1; i <= pods; i++) {
        if (i % 10 != 0) {
          view.put(project(workload.endpoint(i, ++resourceVersion)));
        }
        view.put(project(workload.pod(i, ++resourceVersion)));
      }
      EvaluationVerticle evaluator = new EvaluationVerticle(view, Detectors.enabled(config), Clock.systemUTC(),
          Duration.ofHours(1), gate, new WatcherMetrics());
      vertx.deployVerticle(evaluator).await(30, TimeUnit.SECONDS);
      changesWanted.set(true);
      long t0 = System.nanoTime();
      evaluator.activate().await(300, TimeUnit.SECONDS); // the first sweep
      double first = (System.nanoTime() - t0) / 1e6;

      long t1 = System.nanoTime();
      Future<Void> sweep = evaluator.sweepNow();
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      // the gate counts a change from its publication until the evaluator takes it off the bus
      long added = System.nanoTime();
      view.put(project(workload.pod(0, ++resourceVersion)));
      while (gate.inFlight() > 0) {
        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
      }
      double changeWaited = (System.nanoTime() - added) / 1e6;
      sweep.await(300, TimeUnit.SECONDS);
      double steady = (System.nanoTime() - t1) / 1e6;
      return new Result(pods, first, steady, changeWaited);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static io.chainwatch.model.Snapshot project(String json) {
    return Projections.project(SERIALIZATION.unmarshal(json, GenericKubernetesResource.class));
  }
}
