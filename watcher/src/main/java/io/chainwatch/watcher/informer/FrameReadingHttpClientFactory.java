package io.chainwatch.watcher.informer;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.http.TlsVersion;
import io.fabric8.kubernetes.client.http.WebSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;

/**
 * fabric8's HTTP client with one change: a watch's binary WebSocket frames (what the API server sends a WebSocket
 * watch) are decoded by {@link PruningSerialization} from their bytes, where they arrive.
 *
 * <p>fabric8 turns each binary frame into a String (a UTF-8 decode into a char array, then a String of it) before
 * its watch manager hands the String to the serialization, which encoded it back to bytes to read it: about 32 KB
 * allocated for a pod of 8 KB, and a fifth of the pipeline's allocation and a quarter of the decoding thread's CPU
 * in the benchmark's profiles. Here the frame is read first; fabric8 passes on a token for the decoded event
 * ({@link DecodedFrames}) and its watch manager, reconnects and flow control are unchanged. A frame the pruned reader
 * does not take (an ERROR Status, anything unexpected), text frames and everything that is not a WebSocket go to
 * fabric8 untouched. Everything else is delegated to the client the {@code delegate} factory builds.
 */
public final class FrameReadingHttpClientFactory implements HttpClient.Factory {
  private final HttpClient.Factory delegate;
  private final PruningSerialization serialization;

  /**
   * @param delegate the factory fabric8 would use ({@code HttpClientUtils.getHttpClientFactory()})
   * @param serialization the serialization of the client this factory's clients serve
   */
  public FrameReadingHttpClientFactory(HttpClient.Factory delegate, PruningSerialization serialization) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.serialization = Objects.requireNonNull(serialization, "serialization");
  }

  @Override
  public HttpClient.Builder newBuilder() {
    return new Builder(delegate.newBuilder());
  }

  @Override
  public HttpClient.Builder newBuilder(Config config) {
    return new Builder(delegate.newBuilder(config));
  }

  @Override
  public int priority() {
    return delegate.priority();
  }

  /** Reads a watch's binary frames with {@link PruningSerialization}; the rest goes to fabric8's listener. */
  private final class FrameListener implements WebSocket.Listener {
    private final WebSocket.Listener fabric8;

    FrameListener(WebSocket.Listener fabric8) {
      this.fabric8 = fabric8;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      fabric8.onOpen(webSocket);
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
      fabric8.onMessage(webSocket, text);
    }

    @Override
    public void onMessage(WebSocket webSocket, ByteBuffer bytes) {
      String token = serialization.decodeFrame(bytes);
      if (token == null) {
        fabric8.onMessage(webSocket, bytes); // fabric8 decodes it as it always did
      } else {
        fabric8.onMessage(webSocket, token);
      }
    }

    @Override
    public void onClose(WebSocket webSocket, int code, String reason) {
      fabric8.onClose(webSocket, code, reason);
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      fabric8.onError(webSocket, error);
    }
  }

  /** A client whose WebSockets get a {@link FrameListener}, and whose derived clients too. */
  private final class Client implements HttpClient {
    private final HttpClient client;

    Client(HttpClient client) {
      this.client = client;
    }

    @Override
    public void close() {
      client.close();
    }

    @Override
    public DerivedClientBuilder newBuilder() {
      return new Derived(client.newBuilder());
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, Class<T> type) {
      return client.sendAsync(request, type);
    }

    @Override
    public CompletableFuture<HttpResponse<AsyncBody>> consumeBytes(HttpRequest request,
        AsyncBody.Consumer<List<ByteBuffer>> consumer) {
      return client.consumeBytes(request, consumer);
    }

    @Override
    public WebSocket.Builder newWebSocketBuilder() {
      return new SocketBuilder(client.newWebSocketBuilder());
    }

    @Override
    public HttpRequest.Builder newHttpRequestBuilder() {
      return client.newHttpRequestBuilder();
    }

    @Override
    public boolean isClosed() {
      return client.isClosed();
    }
  }

  private final class SocketBuilder implements WebSocket.Builder {
    private final WebSocket.Builder builder;

    SocketBuilder(WebSocket.Builder builder) {
      this.builder = builder;
    }

    @Override
    public CompletableFuture<WebSocket> buildAsync(WebSocket.Listener listener) {
      return builder.buildAsync(new FrameListener(listener));
    }

    @Override
    public WebSocket.Builder subprotocol(String protocol) {
      builder.subprotocol(protocol);
      return this;
    }

    @Override
    public WebSocket.Builder header(String name, String value) {
      builder.header(name, value);
      return this;
    }

    @Override
    public WebSocket.Builder setHeader(String name, String value) {
      builder.setHeader(name, value);
      return this;
    }

    @Override
    public WebSocket.Builder uri(URI uri) {
      builder.uri(uri);
      return this;
    }

    @Override
    public WebSocket.Builder connectTimeout(long timeout, TimeUnit unit) {
      builder.connectTimeout(timeout, unit);
      return this;
    }
  }

  private final class Derived implements HttpClient.DerivedClientBuilder {
    private final HttpClient.DerivedClientBuilder builder;

    Derived(HttpClient.DerivedClientBuilder builder) {
      this.builder = builder;
    }

    @Override
    public HttpClient build() {
      return new Client(builder.build());
    }

    @Override
    public HttpClient.DerivedClientBuilder addOrReplaceInterceptor(String name, Interceptor interceptor) {
      builder.addOrReplaceInterceptor(name, interceptor);
      return this;
    }

    @Override
    public HttpClient.DerivedClientBuilder authenticatorNone() {
      builder.authenticatorNone();
      return this;
    }

    @Override
    public HttpClient.DerivedClientBuilder tag(Object value) {
      builder.tag(value);
      return this;
    }
  }

  private final class Builder implements HttpClient.Builder {
    private final HttpClient.Builder builder;

    Builder(HttpClient.Builder builder) {
      this.builder = builder;
    }

    @Override
    public HttpClient build() {
      return new Client(builder.build());
    }

    @Override
    public HttpClient.Builder connectTimeout(long timeout, TimeUnit unit) {
      builder.connectTimeout(timeout, unit);
      return this;
    }

    @Override
    public HttpClient.Builder websocketPingInterval(long interval, TimeUnit unit) {
      builder.websocketPingInterval(interval, unit);
      return this;
    }

    @Override
    public HttpClient.Builder addOrReplaceInterceptor(String name, Interceptor interceptor) {
      builder.addOrReplaceInterceptor(name, interceptor);
      return this;
    }

    @Override
    public HttpClient.Builder authenticatorNone() {
      builder.authenticatorNone();
      return this;
    }

    @Override
    public HttpClient.Builder sslContext(KeyManager[] keyManagers, TrustManager[] trustManagers) {
      builder.sslContext(keyManagers, trustManagers);
      return this;
    }

    @Override
    public HttpClient.Builder followAllRedirects() {
      builder.followAllRedirects();
      return this;
    }

    @Override
    public HttpClient.Builder proxyAddress(InetSocketAddress address) {
      builder.proxyAddress(address);
      return this;
    }

    @Override
    public HttpClient.Builder proxyAuthorization(String credentials) {
      builder.proxyAuthorization(credentials);
      return this;
    }

    @Override
    public HttpClient.Builder tlsVersions(TlsVersion... versions) {
      builder.tlsVersions(versions);
      return this;
    }

    @Override
    public HttpClient.Builder tlsServerName(String name) {
      builder.tlsServerName(name);
      return this;
    }

    @Override
    public HttpClient.Builder preferHttp11() {
      builder.preferHttp11();
      return this;
    }

    @Override
    public HttpClient.Builder proxyType(HttpClient.ProxyType type) {
      builder.proxyType(type);
      return this;
    }

    @Override
    public HttpClient.DerivedClientBuilder tag(Object value) {
      builder.tag(value);
      return this;
    }
  }
}
