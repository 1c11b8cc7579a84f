package io.chainwatch.remediation.action;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Evicts one pod through the Eviction API ({@code policy/v1}), so PodDisruptionBudgets are honoured, conditional on
 * the pod's UID so that a replacement with the same name is never evicted by mistake. One request per call, no
 * internal retries (the policy owns retries and their backoff), bounded by a timeout, and asynchronous: nothing waits
 * on a thread. Expected answers come back as an {@link EvictionResult}, never as an exception.
 */
public final class EvictPodRemediation implements AutoCloseable {
  /** Told each call's duration (the watcher's latency histograms); set before the first call. */
  private volatile io.chainwatch.model.CallTimer timer = io.chainwatch.model.CallTimer.NONE;

  /** Reports each call's duration to {@code timer} from now on. */
  public void timeCallsWith(io.chainwatch.model.CallTimer timer) {
    this.timer = java.util.Objects.requireNonNull(timer, "timer");
  }

  private static final Pattern BUDGET_NAME = Pattern.compile("disruption budget ([a-z0-9]([-a-z0-9.]*[a-z0-9])?)");

  private final KubernetesClient client;
  private final Duration timeout;

  /**
   * @param client connection settings to copy; this remediation builds its own client with retries off
   * @param timeout bound on one request
   */
  public EvictPodRemediation(KubernetesClient client, Duration timeout) {
    Config noRetries = new ConfigBuilder(client.getConfiguration()).withRequestRetryBackoffLimit(0).build();
    this.client = new KubernetesClientBuilder().withConfig(noRetries).build();
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /** Requests the eviction of pod {@code namespace/name} with UID {@code uid}. */
  public CompletableFuture<EvictionResult> evict(String namespace, String name, String uid) {
    JsonObject eviction = new JsonObject()
        .put("apiVersion", "policy/v1")
        .put("kind", "Eviction")
        .put("metadata", new JsonObject().put("name", name).put("namespace", namespace))
        .put("deleteOptions", new JsonObject().put("preconditions", new JsonObject().put("uid", uid)));
    HttpClient http = client.getHttpClient();
    HttpRequest request = http.newHttpRequestBuilder()
        .uri(client.getMasterUrl().toString().replaceAll("/+$", "") + "/api/v1/namespaces/" + encode(namespace)
            + "/pods/" + encode(name) + "/eviction")
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .post("application/json", eviction.encode())
        .build();
    long started = System.nanoTime();
    return http.sendAsync(request, String.class)
        .orTimeout(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)
        .handle((response, failure) -> {
          timer.record("kubernetes", "evict", failure == null && response.code() < 500 ? "ok" : "error",
              System.nanoTime() - started);
          if (failure != null) {
            Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
            return new EvictionResult(EvictionResult.Kind.FAILED, 0,
                "no answer from the API server: " + cause, null);
          }
          return classify(response.code(), response.body());
        });
  }

  static EvictionResult classify(int status, String body) {
    String message = statusMessage(body);
    if (status == 200 || status == 201) {
      return new EvictionResult(EvictionResult.Kind.EVICTED, status, message.isEmpty() ? "accepted" : message, null);
    }
    if (status == 404) {
      return new EvictionResult(EvictionResult.Kind.GONE, status, message.isEmpty() ? "pod not found" : message, null);
    }
    if (status == 409 && message.toLowerCase().contains("precondition")) {
      return new EvictionResult(EvictionResult.Kind.GONE, status, message, null);
    }
    if (status == 429) {
      Matcher budget = BUDGET_NAME.matcher(message);
      return new EvictionResult(EvictionResult.Kind.BUDGET_REFUSED, status,
          message.isEmpty() ? "too many requests" : message, budget.find() ? budget.group(1) : null);
    }
    return new EvictionResult(EvictionResult.Kind.FAILED, status,
        "HTTP " + status + (message.isEmpty() ? "" : ": " + message), null);
  }

  /** The Status message and its causes' messages (the budget is named in a cause), or the raw body's start. */
  private static String statusMessage(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    try {
      JsonObject status = new JsonObject(body);
      StringBuilder text = new StringBuilder(status.getString("message", ""));
      JsonObject details = status.getJsonObject("details");
      JsonArray causes = details == null ? null : details.getJsonArray("causes");
      if (causes != null) {
        for (Object cause : causes) {
          if (cause instanceof JsonObject c && c.getString("message") != null) {
            text.append(text.length() == 0 ? "" : "; ").append(c.getString("message"));
          }
        }
      }
      return text.toString();
    } catch (DecodeException | ClassCastException e) {
      return body.length() > 300 ? body.substring(0, 300) + "..." : body;
    }
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    client.close();
  }
}
