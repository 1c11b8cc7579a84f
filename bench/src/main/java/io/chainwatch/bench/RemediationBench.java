package io.chainwatch.bench;

import io.chainwatch.watcher.Chainwatch;
import io.chainwatch.watcher.Configuration;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures remediation speed through the real {@code run} pipeline in enforce mode: from the moment a pod's evidence
 * is complete (its start time plus {@code minPodAge}; the node's agent has long been Ready) to the eviction request
 * arriving at the API server, which also answers the state ConfigMap writes that precede every eviction.
 */
final class RemediationBench implements AutoCloseable {
  static final Duration MIN_POD_AGE = Duration.ofSeconds(2);

  /** Milliseconds from evidence complete to eviction request, for each pod of one burst. */
  record Burst(int pods, List<Double> millis) {
    double first() {
      return millis.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    double last() {
      return millis.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
  }

  private final Workload workload = new Workload();
  private final FakeApiServer server;
  private final KubernetesClient client;
  private final Chainwatch chainwatch;
  /** Incidents of earlier runs would be loaded and notified again: every run starts empty. */
  private final ScratchDirectory stateDir = ScratchDirectory.create("chainwatch-bench-remediation");
  private final Map<String, Long> evictedAtNanos = new ConcurrentHashMap<>();
  private final AtomicLong stateVersion = new AtomicLong(1);
  private int nextPod;
  private long resourceVersion = 10;

  RemediationBench() throws Exception {
    server = ApiPaths.cluster(workload, 1, 0, 0)
        .answer(HttpMethod.POST, "/api/v1/namespaces/[^/]+/pods/([^/]+)/eviction", (request, body) -> {
          evictedAtNanos.putIfAbsent(request.path().split("/")[6], System.nanoTime());
          request.response().setStatusCode(201).putHeader("Content-Type", "application/json")
              .end("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Success\",\"code\":201}");
        })
        .answer(HttpMethod.POST, "/api/v1/namespaces/chainwatch/configmaps", this::echoConfigMap)
        .answer(HttpMethod.PUT, "/api/v1/namespaces/chainwatch/configmaps/.+", this::echoConfigMap)
        .start();
    client = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(server.url())
        .withRequestRetryBackoffLimit(0).build()).build();
    chainwatch = Chainwatch.start(Configuration.load(null, Map.of(
        "CHAINWATCH_HTTP_PORT", "0",
        "CHAINWATCH_LOG_LEVEL", "warn",
        "CHAINWATCH_STATE_DIR", stateDir.path().toString(),
        // the benchmark's API server serves no events.k8s.io; incidents and channels are measured on their own
        "CHAINWATCH_EVENTS_ENABLED", "false",
        "CHAINWATCH_REMEDIATION_MODE", "enforce",
        "CHAINWATCH_DETECTORS_MISSED_CILIUM_CHAIN_MIN_POD_AGE", MIN_POD_AGE.toString())),
        client, Clock.systemUTC(), new PrintStream(OutputStream.nullOutputStream()));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!chainwatch.ready() || server.watchers(ApiPaths.PODS) == 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("chainwatch did not become ready against the benchmark API server");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  private void echoConfigMap(io.vertx.core.http.HttpServerRequest request, String body) {
    JsonObject map = new JsonObject(body);
    map.getJsonObject("metadata").put("resourceVersion", Long.toString(stateVersion.incrementAndGet()));
    request.response().setStatusCode(request.method() == HttpMethod.POST ? 201 : 200)
        .putHeader("Content-Type", "application/json").end(map.encode());
  }

  /**
   * Starts {@code pods} pods without CiliumEndpoints on one node, each with an owner of its own, all with the same
   * start time, and waits for every eviction request.
   */
  Burst burst(int pods) {
    // the API server gives startTime in whole seconds; evidence is complete MIN_POD_AGE after it
    Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    List<String> names = new ArrayList<>();
    for (int n = 0; n < pods; n++) {
      int i = nextPod++;
      names.add(Workload.podName(i));
      String pod = workload.podWithOwnOwner(i, ++resourceVersion, started.toString());
      while (!server.publish(ApiPaths.PODS, "ADDED", pod)) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
      }
    }
    long evidenceComplete = System.nanoTime()
        + Duration.between(Instant.now(), started.plus(MIN_POD_AGE)).toNanos();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!names.stream().allMatch(evictedAtNanos::containsKey)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + names.stream().filter(evictedAtNanos::containsKey).count()
            + " of " + pods + " evictions arrived within 30 s");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
    }
    return new Burst(pods, names.stream().map(name -> (evictedAtNanos.get(name) - evidenceComplete) / 1e6).toList());
  }

  @Override
  public void close() throws Exception {
    chainwatch.close();
    client.close();
    server.close();
    stateDir.close();
  }
}
