package io.chainwatch.probe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Writes one annotation on one Node with a JSON merge patch, through the JDK's HTTP client: the probe needs no
 * Kubernetes client library. In a pod it uses the service account token (re-read for every request, as it rotates)
 * and CA.
 */
public final class NodeAnnotations {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI apiServer;
  private final Path tokenFile;
  private final HttpClient http;
  private final Duration exchangeTimeout;

  /**
   * @param apiServer base URL, such as https://10.96.0.1:443
   * @param tokenFile the bearer token file, or {@code null} for none (tests)
   * @param caFile the API server's CA (PEM), or {@code null} for the JDK's defaults
   */
  public NodeAnnotations(URI apiServer, Path tokenFile, Path caFile) throws IOException, GeneralSecurityException {
    this(apiServer, tokenFile, caFile, EXCHANGE_TIMEOUT);
  }

  NodeAnnotations(URI apiServer, Path tokenFile, Path caFile, Duration exchangeTimeout)
      throws IOException, GeneralSecurityException {
    this.apiServer = apiServer;
    this.tokenFile = tokenFile;
    this.exchangeTimeout = exchangeTimeout;
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
    if (caFile != null && Files.exists(caFile)) {
      builder.sslContext(trusting(caFile));
    }
    this.http = builder.build();
  }

  private static SSLContext trusting(Path caFile) throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    int i = 0;
    try (var in = Files.newInputStream(caFile)) {
      for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + i++, certificate);
      }
    }
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  /**
   * The annotations of Node {@code node}, read from the API server's cache ({@code resourceVersion=0}: no etcd read),
   * so that a probe asking every round costs the API server little.
   */
  public Map<String, String> get(String node) throws IOException, InterruptedException {
    String body = send("GET node " + node, HttpRequest.newBuilder(apiServer.resolve("/api/v1/nodes/" + node
        + "?resourceVersion=0")).GET());
    Map<String, String> annotations = new LinkedHashMap<>();
    JSON.readTree(body).path("metadata").path("annotations").fields()
        .forEachRemaining(entry -> annotations.put(entry.getKey(), entry.getValue().asText()));
    return annotations;
  }

  /** Sets {@code key} to {@code value} on Node {@code node}. */
  public void set(String node, String key, String value) throws IOException, InterruptedException {
    ObjectNode patch = JSON.createObjectNode();
    patch.putObject("metadata").putObject("annotations").put(key, value);
    send("PATCH node " + node, HttpRequest.newBuilder(apiServer.resolve("/api/v1/nodes/" + node))
        .header("Content-Type", "application/merge-patch+json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString(patch.toString(), StandardCharsets.UTF_8)));
  }

  /** A whole exchange, body included, takes at most this long: a body that trickles in is cut off. */
  static final Duration EXCHANGE_TIMEOUT = Duration.ofSeconds(10);
  /** The largest answer read (a Node with a long image list is tens of KB; the API server caps annotations at 256 KB). */
  static final int MAX_ANSWER_BYTES = 4 * 1024 * 1024;

  /**
   * Sends with the service account's token, bounded in time (the whole exchange, not only until the headers) and in
   * size; a non-2xx answer is an error naming what was asked.
   */
  private String send(String what, HttpRequest.Builder request) throws IOException, InterruptedException {
    request.timeout(exchangeTimeout);
    if (tokenFile != null && Files.exists(tokenFile)) {
      request.header("Authorization", "Bearer " + Files.readString(tokenFile).trim());
    }
    java.util.concurrent.CompletableFuture<HttpResponse<String>> exchange =
        http.sendAsync(request.build(), info -> new BoundedBody(MAX_ANSWER_BYTES));
    HttpResponse<String> response;
    try {
      response = exchange.get(exchangeTimeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      exchange.cancel(true);
      throw new IOException(what + ": no complete answer within " + exchangeTimeout.toMillis() + " ms");
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause() instanceof IOException && e.getCause().getCause() != null
          && e.getCause().getMessage() == null ? e.getCause().getCause() : e.getCause();
      throw new IOException(what + ": " + cause.getMessage(), cause);
    }
    if (response.statusCode() / 100 != 2) {
      String body = response.body().replaceAll("\\s+", " ");
      throw new IOException(what + ": HTTP " + response.statusCode() + " "
          + (body.length() > 300 ? body.substring(0, 300) + "..." : body));
    }
    return response.body();
  }

  /** Collects a body as UTF-8 text, failing as soon as it grows past {@code max} bytes. */
  static final class BoundedBody implements HttpResponse.BodySubscriber<String> {
    private final int max;
    private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    private final java.util.concurrent.CompletableFuture<String> result = new java.util.concurrent.CompletableFuture<>();
    private java.util.concurrent.Flow.Subscription subscription;

    BoundedBody(int max) {
      this.max = max;
    }

    @Override
    public java.util.concurrent.CompletionStage<String> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(java.util.concurrent.Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(java.util.List<java.nio.ByteBuffer> items) {
      for (java.nio.ByteBuffer item : items) {
        if (bytes.size() + item.remaining() > max) {
          subscription.cancel();
          result.completeExceptionally(new IOException("answer larger than " + max + " bytes"));
          return;
        }
        byte[] chunk = new byte[item.remaining()];
        item.get(chunk);
        bytes.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable throwable) {
      result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
      result.complete(bytes.toString(StandardCharsets.UTF_8));
    }
  }
}
