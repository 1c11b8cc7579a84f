package io.chainwatch.demo;

import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Gives fabric8's CRUD mock the Eviction subresource it lacks, answering as the real API server does: 404 for a
 * missing pod, 409 when the UID precondition does not match, 429 naming the PodDisruptionBudget that allows no
 * disruption, otherwise 201 and the pod is deleted. Everything else goes to the wrapped dispatcher.
 */
final class EvictionSubresource extends Dispatcher {
  private static final Pattern EVICTION =
      Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/eviction(\\?.*)?");

  private final Dispatcher store;

  EvictionSubresource(Dispatcher store) {
    this.store = store;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    Matcher eviction = EVICTION.matcher(request.getPath());
    if (request.method() == HttpMethod.POST && eviction.matches()) {
      return evict(eviction.group(1), eviction.group(2), request.getUtf8Body());
    }
    return store.dispatch(request);
  }

  private MockResponse evict(String namespace, String name, String body) {
    String podPath = "/api/v1/namespaces/" + namespace + "/pods/" + name;
    MockResponse found = store.dispatch(request(HttpMethod.GET, podPath));
    if (found.code() == 404) {
      return status(404, "NotFound", "pods \"" + name + "\" not found", null);
    }
    JsonObject pod = json(found);
    String uid = pod.getJsonObject("metadata", new JsonObject()).getString("uid");
    String wanted = json(body).getJsonObject("deleteOptions", new JsonObject())
        .getJsonObject("preconditions", new JsonObject()).getString("uid");
    if (wanted != null && !wanted.equals(uid)) {
      return status(409, "Conflict", "Precondition failed: UID in precondition: " + wanted + ", UID in object meta: "
          + uid, null);
    }
    JsonObject labels = pod.getJsonObject("metadata", new JsonObject()).getJsonObject("labels", new JsonObject());
    JsonArray budgets = json(store.dispatch(request(HttpMethod.GET,
        "/apis/policy/v1/namespaces/" + namespace + "/poddisruptionbudgets"))).getJsonArray("items", new JsonArray());
    for (Object item : budgets) {
      JsonObject budget = (JsonObject) item;
      JsonObject selector = budget.getJsonObject("spec", new JsonObject()).getJsonObject("selector",
          new JsonObject()).getJsonObject("matchLabels", new JsonObject());
      boolean selects = selector.getMap().entrySet().stream()
          .allMatch(entry -> String.valueOf(entry.getValue()).equals(labels.getString(entry.getKey())));
      int allowed = budget.getJsonObject("status", new JsonObject()).getInteger("disruptionsAllowed", 0);
      if (selects && allowed < 1) {
        String budgetName = budget.getJsonObject("metadata").getString("name");
        return status(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.",
            "The disruption budget " + budgetName + " needs 1 healthy pods and has 1 currently");
      }
    }
    store.dispatch(request(HttpMethod.DELETE, podPath));
    return status(201, null, null, null);
  }

  private static RecordedRequest request(HttpMethod method, String path) {
    return new RecordedRequest("HTTP/1.1", method, path, Headers.builder().build(), new Buffer());
  }

  private static JsonObject json(MockResponse response) {
    return json(response.getBody() == null ? "" : response.getBody().readUtf8());
  }

  private static JsonObject json(String text) {
    try {
      return text == null || text.isBlank() ? new JsonObject() : new JsonObject(text);
    } catch (DecodeException e) {
      return new JsonObject();
    }
  }

  private static MockResponse status(int code, String reason, String message, String cause) {
    JsonObject status = new JsonObject().put("kind", "Status").put("apiVersion", "v1")
        .put("status", code < 300 ? "Success" : "Failure").put("code", code);
    if (reason != null) {
      status.put("reason", reason).put("message", message);
    }
    if (cause != null) {
      status.put("details", new JsonObject().put("causes",
          new JsonArray().add(new JsonObject(Map.of("reason", "DisruptionBudget", "message", cause)))));
    }
    return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
        .setBody(status.encode());
  }
}
