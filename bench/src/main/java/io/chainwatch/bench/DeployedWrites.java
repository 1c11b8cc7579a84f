package io.chainwatch.bench;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The writes chainwatch makes when it runs as deployed, answered by the benchmark's API server as the real one would
 * (enough for the writers to go on): the remediation state ConfigMap, the leader-election Lease, Kubernetes Events
 * and Node status patches. Counts each kind, so the benchmark can say what the pipeline wrote meanwhile.
 */
final class DeployedWrites {
  static final int STATE = 0;
  static final int LEASE = 1;
  static final int EVENTS = 2;
  static final int NODE_STATUS = 3;

  private static final java.time.format.DateTimeFormatter MICRO_TIME = java.time.format.DateTimeFormatter
      .ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(java.time.ZoneOffset.UTC);
  private final AtomicLong version = new AtomicLong(1_000_000);
  private final Map<String, JsonObject> leases = new ConcurrentHashMap<>();
  private final AtomicLongArray counts = new AtomicLongArray(4);

  /** Adds the answers to {@code server}. */
  FakeApiServer on(FakeApiServer server) {
    return server
        .answer(HttpMethod.POST, "/api/v1/namespaces/[^/]+/configmaps", (r, b) -> echo(r, b, STATE))
        .answer(HttpMethod.PUT, "/api/v1/namespaces/[^/]+/configmaps/.+", (r, b) -> echo(r, b, STATE))
        .answer(HttpMethod.GET, "/apis/coordination.k8s.io/v1/namespaces/[^/]+/leases/.+", this::getLease)
        .answer(HttpMethod.POST, "/apis/coordination.k8s.io/v1/namespaces/[^/]+/leases", this::createLease)
        .answer(HttpMethod.PUT, "/apis/coordination.k8s.io/v1/namespaces/[^/]+/leases/.+", this::renewLease)
        .answer(HttpMethod.PATCH, "/apis/coordination.k8s.io/v1/namespaces/[^/]+/leases/.+", this::renewLease)
        .answer(HttpMethod.POST, "/apis/events.k8s.io/v1/namespaces/[^/]+/events", (r, b) -> echo(r, b, EVENTS))
        .answer(HttpMethod.PATCH, "/apis/events.k8s.io/v1/namespaces/[^/]+/events/.+", (r, b) -> ok(r, EVENTS))
        .answer(HttpMethod.PATCH, "/api/v1/nodes/[^/]+/status", (r, b) -> ok(r, NODE_STATUS));
  }

  long count(int kind) {
    return counts.get(kind);
  }

  private void echo(HttpServerRequest request, String body, int kind) {
    counts.incrementAndGet(kind);
    JsonObject object = new JsonObject(body);
    JsonObject metadata = object.getJsonObject("metadata", new JsonObject());
    object.put("metadata", metadata.put("resourceVersion", Long.toString(version.incrementAndGet())));
    if (metadata.getString("name") == null) {
      metadata.put("name", metadata.getString("generateName", "x-") + version.get());
    }
    request.response().setStatusCode(request.method() == HttpMethod.POST ? 201 : 200)
        .putHeader("Content-Type", "application/json").end(object.encode());
  }

  private void ok(HttpServerRequest request, int kind) {
    counts.incrementAndGet(kind);
    request.response().setStatusCode(200).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("metadata", new JsonObject().put("resourceVersion",
            Long.toString(version.incrementAndGet()))).encode());
  }

  private void getLease(HttpServerRequest request, String body) {
    JsonObject lease = leases.get(request.path());
    if (lease == null) {
      request.response().setStatusCode(404).putHeader("Content-Type", "application/json")
          .end("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"NotFound\",\"code\":404}");
      return;
    }
    request.response().putHeader("Content-Type", "application/json").end(lease.encode());
  }

  private void createLease(HttpServerRequest request, String body) {
    counts.incrementAndGet(LEASE);
    JsonObject lease = new JsonObject(body);
    lease.getJsonObject("metadata").put("resourceVersion", Long.toString(version.incrementAndGet()));
    leases.put(request.path() + "/" + lease.getJsonObject("metadata").getString("name"), lease);
    request.response().setStatusCode(201).putHeader("Content-Type", "application/json").end(lease.encode());
  }

  /** A renewal: one holder in the benchmark, so the stored Lease is renewed as it stands. */
  private void renewLease(HttpServerRequest request, String body) {
    counts.incrementAndGet(LEASE);
    JsonObject lease = leases.get(request.path());
    if (lease == null) {
      request.response().setStatusCode(404).end();
      return;
    }
    if (request.method() == HttpMethod.PUT) {
      lease = new JsonObject(body);
    }
    lease.getJsonObject("metadata").put("resourceVersion", Long.toString(version.incrementAndGet()));
    lease.getJsonObject("spec").put("renewTime", MICRO_TIME.format(Instant.now()));
    leases.put(request.path(), lease);
    request.response().putHeader("Content-Type", "application/json").end(lease.encode());
  }
}
