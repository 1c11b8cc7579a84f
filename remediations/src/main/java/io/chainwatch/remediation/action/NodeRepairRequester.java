package io.chainwatch.remediation.action;

import io.chainwatch.remediation.policy.RepairRequest;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes a repair request on a Node as {@link RepairRequest#ANNOTATION}, with one JSON merge patch that touches only
 * that annotation. The request goes straight to the API server: fabric8's resource {@code patch} reads the object
 * first, which would need {@code get} on Nodes that chainwatch otherwise never uses. Blocking: call it on a worker.
 */
public final class NodeRepairRequester {
  private final KubernetesClient client;
  private final Duration timeout;
  private final RepairSigner signer;

  /** @param signer signs each request for its node; {@code null} when repair is off (nothing is ever requested) */
  public NodeRepairRequester(KubernetesClient client, Duration timeout, RepairSigner signer) {
    this.client = client;
    this.timeout = timeout;
    this.signer = signer;
  }

  /** @throws IllegalStateException naming the node, the HTTP status and the API server's message */
  public void request(String node, RepairRequest request) throws InterruptedException {
    if (signer == null) {
      throw new IllegalStateException("PATCH node " + node + ": no repair key (remediation.rpFilterRepair.keyFile), "
          + "so no request a probe would accept");
    }
    JsonObject patch = new JsonObject().put("metadata", new JsonObject().put("annotations",
        new JsonObject().put(RepairRequest.ANNOTATION, RepairRequestCodec.encode(request, node, signer))));
    HttpClient http = client.getHttpClient();
    HttpRequest call = http.newHttpRequestBuilder()
        .uri(client.getMasterUrl().toString().replaceAll("/+$", "") + "/api/v1/nodes/"
            + URLEncoder.encode(node, StandardCharsets.UTF_8))
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .method("PATCH", "application/merge-patch+json", patch.encode())
        .build();
    HttpResponse<String> response;
    try {
      response = http.sendAsync(call, String.class).get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException("PATCH node " + node + ": no answer from the API server: " + cause, e);
    }
    if (response.code() / 100 != 2) {
      String body = response.body() == null ? "" : response.body().replaceAll("\\s+", " ");
      throw new IllegalStateException("PATCH node " + node + ": HTTP " + response.code() + " "
          + (body.length() > 300 ? body.substring(0, 300) + "..." : body));
    }
  }
}
