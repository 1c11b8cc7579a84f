package io.chainwatch.watcher.informer;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.model.PodSnapshot;
import io.chainwatch.watcher.view.Projections;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.core.type.TypeReference;

class PruningSerializationTest {
  private final PruningSerialization pruning = new PruningSerialization();
  private final KubernetesSerialization full = new KubernetesSerialization();

  private static String podJson() throws Exception {
    String list = Files.readString(Path.of("src/test/resources/dumps/race-cluster.json"));
    GenericKubernetesResourceList items = new KubernetesSerialization().unmarshal(list,
        GenericKubernetesResourceList.class);
    GenericKubernetesResource pod = items.getItems().stream()
        .filter(item -> "web-7d9c6b5f4-x2k8p".equals(item.getMetadata().getName())).findFirst().orElseThrow();
    pod.getMetadata().setAnnotations(Map.of("chainwatch.io/remediation", "disabled",
        "kubectl.kubernetes.io/last-applied-configuration", "{\"huge\": true}"));
    return new KubernetesSerialization().asJson(pod);
  }

  @Test
  void decodesAWatchEventThroughTheFastPathKeepingOnlyWhatProjectionsRead() throws Exception {
    String event = "{\"type\":\"MODIFIED\",\"object\":" + podJson() + "}";

    WatchEvent decoded = pruning.unmarshal(event, WatchEvent.class);

    assertThat(decoded.getType()).isEqualTo("MODIFIED");
    assertThat(decoded.getObject()).isInstanceOfSatisfying(GenericKubernetesResource.class, pod -> {
      assertThat(pod.getMetadata().getAnnotations()).containsOnlyKeys("chainwatch.io/remediation");
      assertThat(pod.getMetadata().getManagedFields()).isEmpty();
      assertThat((Map<String, Object>) pod.getAdditionalProperties().get("spec")).containsOnlyKeys("nodeName", "tolerations");
      assertThat((Map<String, Object>) pod.getAdditionalProperties().get("status"))
          .containsOnlyKeys("phase", "startTime", "conditions", "podIP");
    });
  }

  @Test
  void prunedAndFullDecodingProjectToTheSameSnapshot() throws Exception {
    String json = podJson();
    String event = "{\"type\":\"ADDED\",\"object\":" + json + "}";

    PodSnapshot fromPruned = Projections.pod((GenericKubernetesResource) pruning.unmarshal(event, WatchEvent.class)
        .getObject());
    PodSnapshot fromFull = Projections.pod(full.unmarshal(json, GenericKubernetesResource.class));

    assertThat(fromPruned).isEqualTo(fromFull);
    assertThat(fromPruned.remediationDisabled()).isTrue();
  }

  /** Every object of a dump (JSON list or multi-document YAML, lists expanded). */
  private List<GenericKubernetesResource> objectsOf(String dump) throws Exception {
    List<GenericKubernetesResource> objects = new ArrayList<>();
    for (String document : Files.readString(Path.of("src/test/resources/dumps", dump)).split("(?m)^---$")) {
      if (document.lines().allMatch(line -> line.isBlank() || line.startsWith("#"))) {
        continue;
      }
      GenericKubernetesResource object = full.unmarshal(document, GenericKubernetesResource.class);
      if (object.getKind().endsWith("List")) {
        objects.addAll(full.unmarshal(document, GenericKubernetesResourceList.class).getItems());
      } else {
        objects.add(object);
      }
    }
    return objects;
  }

  // Guards KEEP: a field a projection reads but the streaming decoder drops would differ here.
  @ParameterizedTest
  @CsvSource({"race-cluster.json, 15", "doctor-global-router-mixed.yaml, 19", "host-reports.yaml, 3",
      "doctor-vpc-cni-native.yaml, 3"})
  void everyKindInTheScanDumpsProjectsIdenticallyFromPrunedAndFullDecoding(String dump, int atLeast)
      throws Exception {
    int compared = 0;
    for (GenericKubernetesResource item : objectsOf(dump)) {
      if (Projections.snapshotTypeOf(item.getApiVersion(), item.getKind()) == null) {
        continue;
      }
      String event = "{\"type\":\"ADDED\",\"object\":" + full.asJson(item) + "}";
      GenericKubernetesResource pruned = (GenericKubernetesResource) pruning.unmarshal(event, WatchEvent.class)
          .getObject();

      assertThat(Projections.project(pruned)).as(item.getKind() + " " + item.getMetadata().getName())
          .isEqualTo(Projections.project(item));
      compared++;
    }

    assertThat(compared).isGreaterThanOrEqualTo(atLeast);
  }

  @Test
  void decodesListPagesWithTheirContinueToken() throws Exception {
    String list = "{\"apiVersion\":\"v1\",\"kind\":\"PodList\",\"metadata\":{\"resourceVersion\":\"42\","
        + "\"continue\":\"next-page\"},\"items\":[" + podJson() + "," + podJson() + "]}";

    GenericKubernetesResourceList decoded = pruning.unmarshal(
        new ByteArrayInputStream(list.getBytes(StandardCharsets.UTF_8)),
        new TypeReference<GenericKubernetesResourceList>() {});

    assertThat(decoded.getMetadata().getResourceVersion()).isEqualTo("42");
    assertThat(decoded.getMetadata().getContinue()).isEqualTo("next-page");
    assertThat(decoded.getItems()).hasSize(2)
        .allSatisfy(item -> assertThat(item.getMetadata().getManagedFields()).isEmpty());
  }

  /** A page PrunedJson refuses is read by the Jackson path from its start, with the same result. */
  @Test
  void aPageTheByteReaderRefusesIsReadByJackson() throws Exception {
    String items = "[" + podJson() + "," + podJson() + "]";
    String plain = "{\"kind\":\"PodList\",\"metadata\":{\"resourceVersion\":\"7\",\"continue\":\"c\"},"
        + "\"items\":" + items + "}";
    // a lone escaped surrogate in a skipped field: PrunedJson leaves it to Jackson, which keeps it in a value
    String refused = plain.replace("\"items\":", "\"x\":\"\\ud800\",\"items\":");
    byte[] refusedBytes = refused.getBytes(StandardCharsets.UTF_8);
    assertThat(PrunedJson.list(refusedBytes, 0, refusedBytes.length, PruningSerialization.keepRules())).isNull();
    TypeReference<GenericKubernetesResourceList> type = new TypeReference<>() {};

    GenericKubernetesResourceList fast = pruning.unmarshal(
        new ByteArrayInputStream(plain.getBytes(StandardCharsets.UTF_8)), type);
    GenericKubernetesResourceList slow = pruning.unmarshal(new ByteArrayInputStream(refusedBytes), type);
    // and from a stream that is not one array in memory
    GenericKubernetesResourceList streamed = pruning.unmarshal(new java.io.BufferedInputStream(
        new ByteArrayInputStream(plain.getBytes(StandardCharsets.UTF_8)), 64), type);

    assertThat(fast.getItems()).hasSize(2);
    assertThat(slow).usingRecursiveComparison().isEqualTo(fast);
    assertThat(streamed).usingRecursiveComparison().isEqualTo(fast);
    assertThat(fast.getMetadata().getContinue()).isEqualTo("c");
  }

  /** An item that is not an object: fabric8 reports it, neither pruning path reads a part of the page. */
  @Test
  void aPageWithAnItemThatIsNotAnObjectGoesToFabric8() {
    String page = "{\"kind\":\"PodList\",\"metadata\":{},\"items\":[" + "{\"kind\":\"Pod\",\"apiVersion\":\"v1\","
        + "\"metadata\":{\"name\":\"a\"}},42,{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"b\"}}]}";

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> pruning.unmarshal(
        new ByteArrayInputStream(page.getBytes(StandardCharsets.UTF_8)),
        new TypeReference<GenericKubernetesResourceList>() {})).isInstanceOf(RuntimeException.class);
  }

  @Test
  void leavesErrorEventsAndMalformedInputToFabric8() {
    String error = "{\"type\":\"ERROR\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"status\":\"Failure\","
        + "\"code\":410,\"reason\":\"Expired\",\"message\":\"too old resource version\"}}";

    WatchEvent decoded = pruning.unmarshal(error, WatchEvent.class);

    assertThat(decoded.getObject()).isInstanceOfSatisfying(Status.class, status ->
        assertThat(status.getCode()).isEqualTo(410));
  }

  @Test
  void keepsTheResourceVersionOfABookmark() {
    String bookmark = "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\","
        + "\"metadata\":{\"resourceVersion\":\"12345\",\"annotations\":{\"k8s.io/initial-events-end\":\"true\"}}}}";

    WatchEvent decoded = pruning.unmarshal(bookmark, WatchEvent.class);

    assertThat(decoded.getType()).isEqualTo("BOOKMARK");
    assertThat(((GenericKubernetesResource) decoded.getObject()).getMetadata().getResourceVersion())
        .isEqualTo("12345");
  }

  @Test
  void aFieldOfTheWrongTypeIsKeptForTheProjectionToReport() {
    String event = "{\"type\":\"ADDED\",\"object\":{\"apiVersion\":\"cilium.io/v2\",\"kind\":\"CiliumEndpoint\","
        + "\"metadata\":{\"name\":\"e\",\"namespace\":\"shop\"},\"status\":\"not an object\"}}";

    WatchEvent decoded = pruning.unmarshal(event, WatchEvent.class);

    assertThat(((GenericKubernetesResource) decoded.getObject()).getAdditionalProperties())
        .containsEntry("status", "not an object");
  }

  /** The hand-written reader builds what Jackson's untyped binding builds, type for type. */
  @Test
  void valuesAreBuiltAsJacksonsUntypedBindingBuildsThem() throws Exception {
    String json = "{\"s\":\"x\\u00e9\\n\",\"i\":42,\"neg\":-7,\"l\":4294967296,\"big\":123456789012345678901234567890,"
        + "\"d\":1.5,\"e\":1e3,\"t\":true,\"f\":false,\"n\":null,\"a\":[1,\"two\",[3],{\"k\":null}],"
        + "\"o\":{\"nested\":{\"deep\":[]}},\"dup\":1,\"dup\":2,\"empty\":{}}";
    tools.jackson.databind.json.JsonMapper mapper = tools.jackson.databind.json.JsonMapper.builder().build();
    Object expected = mapper.readValue(json, Object.class);
    try (tools.jackson.core.JsonParser parser = new tools.jackson.core.json.JsonFactory().createParser(json)) {
      parser.nextToken();
      Object actual = PruningSerialization.value(parser);
      assertThat(actual).isEqualTo(expected);
      @SuppressWarnings("unchecked")
      Map<String, Object> object = (Map<String, Object>) actual;
      assertThat(object.get("i")).isInstanceOf(Integer.class);
      assertThat(object.get("l")).isInstanceOf(Long.class);
      assertThat(object.get("big")).isInstanceOf(java.math.BigInteger.class);
      assertThat(object.get("d")).isInstanceOf(Double.class);
      assertThat(object.get("dup")).isEqualTo(2);
      assertThat(new ArrayList<>(object.keySet())).isEqualTo(new ArrayList<>(((Map<?, ?>) expected).keySet()));
    }
  }
}
