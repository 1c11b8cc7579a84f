package io.chainwatch.watcher.informer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.HttpClientUtils;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Watch frames read from their bytes, through fabric8's real client and informer against a WebSocket server that
 * sends binary frames as the API server does (fabric8's mock server sends text frames).
 */
class FrameReadingHttpClientFactoryTest {
  private final Vertx vertx = Vertx.vertx();
  private final AtomicInteger lists = new AtomicInteger();
  private final List<ServerWebSocket> sockets = new CopyOnWriteArrayList<>();
  private HttpServer server;
  private KubernetesClient client;
  private SharedIndexInformer<GenericKubernetesResource> informer;

  @AfterEach
  void close() throws Exception {
    if (informer != null) {
      informer.close();
    }
    if (client != null) {
      client.close();
    }
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** A pod of the race fixture (real kubectl output) as one watch event, with a foreign annotation to prune. */
  private static String podEvent(String type, String name) throws Exception {
    KubernetesSerialization full = new KubernetesSerialization();
    String list = Files.readString(Path.of("src/test/resources/dumps/race-cluster.json"));
    GenericKubernetesResource pod = full.unmarshal(list, io.fabric8.kubernetes.api.model.GenericKubernetesResourceList
        .class).getItems().stream().filter(item -> "Pod".equals(item.getKind())).findFirst().orElseThrow();
    pod.getMetadata().setName(name);
    pod.getMetadata().setResourceVersion("7");
    pod.getMetadata().setAnnotations(Map.of("chainwatch.io/remediation", "disabled",
        "kubectl.kubernetes.io/last-applied-configuration", "{\"huge\": true}"));
    return "{\"type\":\"" + type + "\",\"object\":" + full.asJson(pod) + "}";
  }

  private PruningSerialization startInformer(List<GenericKubernetesResource> seen) throws Exception {
    server = vertx.createHttpServer()
        .webSocketHandler(sockets::add)
        .requestHandler(request -> {
          lists.incrementAndGet();
          request.response().putHeader("Content-Type", "application/json")
              .end("{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"1\"},"
                  + "\"items\":[]}");
        })
        .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    PruningSerialization pruning = new PruningSerialization();
    client = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder().withMasterUrl("http://127.0.0.1:" + server.actualPort())
            .withRequestRetryBackoffLimit(0).build())
        .withKubernetesSerialization(pruning)
        .withHttpClientFactory(new FrameReadingHttpClientFactory(HttpClientUtils.getHttpClientFactory(), pruning))
        .build();
    informer = client.genericKubernetesResources("v1", "Pod").inAnyNamespace().inform(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(GenericKubernetesResource pod) {
            seen.add(pod);
          }

          @Override
          public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource pod) {
            seen.add(pod);
          }

          @Override
          public void onDelete(GenericKubernetesResource pod, boolean unknownFinalState) {
          }
        }, 0);
    await().atMost(Duration.ofSeconds(20)).until(() -> !sockets.isEmpty());
    return pruning;
  }

  @Test
  void binaryFramesAreReadFromTheirBytesAndPruned() throws Exception {
    List<GenericKubernetesResource> seen = new CopyOnWriteArrayList<>();
    PruningSerialization pruning = startInformer(seen);

    sockets.get(0).writeBinaryMessage(Buffer.buffer(podEvent("ADDED", "web-0").getBytes(StandardCharsets.UTF_8)));

    await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() == 1);
    assertThat(seen.get(0).getMetadata().getName()).isEqualTo("web-0");
    assertThat(seen.get(0).getMetadata().getAnnotations()).containsOnlyKeys("chainwatch.io/remediation");
    assertThat(seen.get(0).getMetadata().getManagedFields()).isEmpty();
    assertThat(pruning.framesDecoded()).isEqualTo(1);
  }

  @Test
  void textFramesStillGoThroughFabric8sStringPath() throws Exception {
    List<GenericKubernetesResource> seen = new CopyOnWriteArrayList<>();
    PruningSerialization pruning = startInformer(seen);

    sockets.get(0).writeTextMessage(podEvent("ADDED", "web-1"));

    await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() == 1);
    assertThat(seen.get(0).getMetadata().getAnnotations()).containsOnlyKeys("chainwatch.io/remediation");
    assertThat(pruning.framesDecoded()).isZero();
  }

  @Test
  void aBinaryErrorStatusReachesFabric8AndTheInformerListsAgain() throws Exception {
    List<GenericKubernetesResource> seen = new CopyOnWriteArrayList<>();
    PruningSerialization pruning = startInformer(seen);
    int listsBefore = lists.get();

    sockets.get(0).writeBinaryMessage(Buffer.buffer(("{\"type\":\"ERROR\",\"object\":{\"apiVersion\":\"v1\","
        + "\"kind\":\"Status\",\"status\":\"Failure\",\"code\":410,\"reason\":\"Expired\","
        + "\"message\":\"too old resource version\"}}").getBytes(StandardCharsets.UTF_8)));

    // 410 Gone: fabric8 lists again and opens a new watch, which only happens if it read the Status itself
    await().atMost(Duration.ofSeconds(20)).until(() -> lists.get() > listsBefore && sockets.size() > 1);
    assertThat(pruning.framesDecoded()).isZero();
    sockets.get(sockets.size() - 1).writeBinaryMessage(
        Buffer.buffer(podEvent("ADDED", "web-2").getBytes(StandardCharsets.UTF_8)));
    await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() == 1);
    assertThat(pruning.framesDecoded()).isEqualTo(1);
  }

  @Test
  void framesThePrunedReaderRefusesAreLeftAsTheyWereForFabric8() {
    PruningSerialization pruning = new PruningSerialization();
    byte[] invalidUtf8 = "xx{\"type\":\"ADDED\",\"object\":{\"kind\":\"Pod\",\"metadata\":{\"name\":\"\u00e9\"}}}"
        .getBytes(StandardCharsets.ISO_8859_1); // é as one byte 0xE9: not UTF-8
    ByteBuffer frame = ByteBuffer.wrap(invalidUtf8, 2, invalidUtf8.length - 2);

    assertThat(pruning.decodeFrame(frame)).isNull();
    assertThat(frame.position()).isEqualTo(2);
    assertThat(frame.remaining()).isEqualTo(invalidUtf8.length - 2);
  }

  @Test
  void aFrameInTheMiddleOfALargerBufferIsReadFromItsOwnBytesOnly() throws Exception {
    PruningSerialization pruning = new PruningSerialization();
    byte[] event = podEvent("MODIFIED", "web-3").getBytes(StandardCharsets.UTF_8);
    byte[] around = new byte[event.length + 20];
    java.util.Arrays.fill(around, (byte) '!');
    System.arraycopy(event, 0, around, 10, event.length);
    ByteBuffer frame = ByteBuffer.wrap(around, 10, event.length).slice(); // arrayOffset 10, position 0

    String token = pruning.decodeFrame(frame);

    WatchEvent decoded = pruning.unmarshal(token, WatchEvent.class);
    assertThat(decoded.getType()).isEqualTo("MODIFIED");
    assertThat(((GenericKubernetesResource) decoded.getObject()).getMetadata().getName()).isEqualTo("web-3");
    // a token is good for one decode: fabric8 asks once per message
    assertThatThrownBy(() -> pruning.unmarshal(token, WatchEvent.class)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no longer held");
  }
}
