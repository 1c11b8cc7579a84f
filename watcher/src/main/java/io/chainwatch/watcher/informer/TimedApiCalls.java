package io.chainwatch.watcher.informer;

import io.chainwatch.model.CallTimer;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * Times every request of the client it is installed on (the informers' lists and watches) into
 * {@code chainwatch_call_duration_seconds{system="kubernetes", call}}, from the request to its response's headers
 * (for a watch: until the API server accepted it). The start travels with the request as a header, because fabric8
 * hands {@code before} and {@code after} different request objects; the API server ignores it.
 */
public final class TimedApiCalls implements Interceptor {
  static final String STARTED = "X-Chainwatch-Started-Nanos";

  private final CallTimer timer;

  public TimedApiCalls(CallTimer timer) {
    this.timer = Objects.requireNonNull(timer, "timer");
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    builder.setHeader(STARTED, Long.toString(System.nanoTime()));
  }

  @Override
  public void after(HttpRequest request, HttpResponse<?> response,
      io.fabric8.kubernetes.client.http.AsyncBody.Consumer<List<java.nio.ByteBuffer>> consumer) {
    record(response.request() != null ? response.request() : request, response.isSuccessful() ? "ok" : "error");
  }

  @Override
  public void afterConnectionFailure(HttpRequest request, Throwable failure) {
    record(request, "error");
  }

  private void record(HttpRequest request, String outcome) {
    String started = request.header(STARTED);
    if (started == null) {
      return;
    }
    try {
      timer.record("kubernetes", callOf(request.method(), request.uri()), outcome,
          System.nanoTime() - Long.parseLong(started));
    } catch (NumberFormatException e) {
      // not a value this interceptor wrote: nothing to time
    }
  }

  /**
   * A request as a small fixed set of names: verb and resource ({@code list pods}, {@code watch ciliumendpoints},
   * {@code create pods/eviction}), never a name or namespace, so the label's cardinality stays that of the kinds.
   */
  static String callOf(String method, URI uri) {
    String[] segments = uri.getPath().replaceAll("^/+|/+$", "").split("/");
    // /api/v1/... or /apis/group/version/...
    int at = segments.length > 0 && segments[0].equals("api") ? 2 : 3;
    if (segments.length > at + 1 && segments[at].equals("namespaces") && segments.length > at + 2) {
      at += 2; // namespaced: namespaces/{namespace}/{resource}
    }
    if (segments.length <= at) {
      return method.toLowerCase(java.util.Locale.ROOT) + " " + (segments.length > 0 ? segments[segments.length - 1]
          : "/");
    }
    String resource = segments[at];
    boolean named = segments.length > at + 1;
    if (segments.length > at + 2) {
      resource += "/" + segments[at + 2];
    }
    String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
    String verb = switch (method) {
      case "GET" -> query.contains("watch=true") ? "watch" : named ? "get" : "list";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> "delete";
      default -> method.toLowerCase(java.util.Locale.ROOT);
    };
    return verb + " " + resource;
  }
}
