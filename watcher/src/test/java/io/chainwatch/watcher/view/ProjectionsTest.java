package io.chainwatch.watcher.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainwatch.model.CiliumConfigSnapshot;
import io.chainwatch.model.EndpointSnapshot;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.OwnerRef;
import io.chainwatch.model.PodNetworkRequest;
import io.chainwatch.model.PodSnapshot;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProjectionsTest {
  /** The fast reading of Kubernetes' own time form agrees with OffsetDateTime.parse, or leaves the time to it. */
  @Test
  void plainUtcTimesAreReadAsOffsetDateTimeReadsThem() {
    java.util.Random random = new java.util.Random(19);
    List<String> samples = new java.util.ArrayList<>(List.of("2026-11-23T03:00:00Z", "2024-02-29T23:59:59Z",
        "2023-02-29T00:00:00Z", "2023-02-30T00:00:00Z", "2023-04-31T00:00:00Z", "2023-04-30T24:00:00Z",
        "2023-04-30T23:60:00Z", "2023-04-30T23:59:60Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
        "2023-00-10T00:00:00Z", "2023-13-10T00:00:00Z", "2023-01-00T00:00:00Z", "1900-02-29T00:00:00Z",
        "2000-02-29T00:00:00Z", "2023-01-01T00:00:00.5Z", "2023-01-01T00:00:00+02:00", "2023-01-01t00:00:00Z",
        "2023-01-01T00:00:00z", "2023-01-01 00:00:00Z", "+2023-01-01T00:00:0Z", "2023-1-01T00:00:00ZZ"));
    for (int i = 0; i < 20_000; i++) {
      char[] time = String.format("%04d-%02d-%02dT%02d:%02d:%02dZ", random.nextInt(10_000), random.nextInt(14),
          random.nextInt(33), random.nextInt(26), random.nextInt(62), random.nextInt(62)).toCharArray();
      if (random.nextInt(4) == 0) {
        time[random.nextInt(time.length)] = "0123456789-:TZ+x ".charAt(random.nextInt(17));
      }
      samples.add(new String(time));
    }
    int read = 0;
    for (String sample : samples) {
      Instant fast = Projections.plainUtcTime(sample);
      Instant general;
      try {
        general = java.time.OffsetDateTime.parse(sample).toInstant();
      } catch (java.time.format.DateTimeParseException e) {
        general = null;
      }
      if (fast != null) {
        read++;
        assertThat(fast).as(sample).isEqualTo(general);
      } else if (sample.length() == 20 && sample.endsWith("Z") && sample.charAt(10) == 'T') {
        assertThat(general).as("a plain UTC time left to the general parser: " + sample).isNull();
      }
    }
    assertThat(read).isGreaterThan(5_000);
  }

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private static GenericKubernetesResource parse(String yaml) {
    return SERIALIZATION.unmarshal(yaml, GenericKubernetesResource.class);
  }

  private static GenericKubernetesResource resource(String name) throws Exception {
    return parse(Files.readString(Path.of("src/test/resources/cilium", name)));
  }

  private static String replicaSetPod(String name, String hash) {
    return """
        apiVersion: v1
        kind: Pod
        metadata:
          name: %s
          namespace: shop
          uid: uid-%s
          labels: {app: web, pod-template-hash: "%s"}
          ownerReferences:
          - {apiVersion: apps/v1, kind: ReplicaSet, name: web-%s, uid: rs-%s, controller: true}
        spec:
          nodeName: node-1
          initContainers: [{name: init, image: i}]
          tolerations: [{key: node.cilium.io/agent-not-ready, operator: Exists, effect: NoSchedule}]
          containers: [{name: c, image: i}]
        status: {phase: Running, podIP: 10.0.0.%d}
        """.formatted(name, name, hash, hash, hash, name.hashCode() & 0x7f);
  }

  @Test
  void podsOfOneReplicaSetShareTheirLabelsOwnerAndContainerLists() {
    PodSnapshot first = Projections.pod(parse(replicaSetPod("web-a", "7d9")));
    PodSnapshot second = Projections.pod(parse(replicaSetPod("web-b", "7d9")));
    PodSnapshot otherSet = Projections.pod(parse(replicaSetPod("web-c", "5f4")));

    assertThat(second.labels()).isEqualTo(first.labels()).isSameAs(first.labels());
    assertThat(second.owner()).isEqualTo(new OwnerRef("ReplicaSet", "web-7d9", "rs-7d9")).isSameAs(first.owner());
    assertThat(second.initContainers()).containsExactly("init").isSameAs(first.initContainers());
    assertThat(second.toleratedNoSchedule()).containsExactly("node.cilium.io/agent-not-ready")
        .isSameAs(first.toleratedNoSchedule());
    assertThat(otherSet.labels()).containsEntry("pod-template-hash", "5f4").isNotSameAs(first.labels());
    assertThat(otherSet.owner().name()).isEqualTo("web-5f4");
    assertThat(first.labels()).as("shared values cannot be changed by a holder")
        .isUnmodifiable();
  }

  @Test
  void theSharedValuesStartOverPastTheirBound() {
    PodSnapshot first = Projections.pod(parse(replicaSetPod("web-a", "bound")));
    for (int i = 0; i <= Canonical.MAX_VALUES; i++) {
      Canonical.of(List.of("filler-" + i));
    }
    PodSnapshot after = Projections.pod(parse(replicaSetPod("web-b", "bound")));

    assertThat(after.labels()).isEqualTo(first.labels()).isNotSameAs(first.labels());
    assertThat(first.labels()).containsEntry("app", "web");
  }

  @Test
  void projectsAPodWithOwnerReadinessAndOptOut() {
    PodSnapshot pod = Projections.pod(parse("""
        apiVersion: v1
        kind: Pod
        metadata:
          name: web-1
          namespace: shop
          uid: u1
          creationTimestamp: "2026-11-23T04:00:00Z"
          labels: {app: web}
          annotations: {chainwatch.io/remediation: disabled}
          ownerReferences:
          - {apiVersion: v1, kind: Service, name: not-the-controller, uid: s1}
          - {apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9, uid: rs1, controller: true}
        spec: {nodeName: node-1, hostNetwork: false, containers: [{name: c, image: i}]}
        status:
          phase: Running
          startTime: "2026-11-23T04:00:02+00:00"
          conditions:
          - {type: PodScheduled, status: "True", lastTransitionTime: "2026-11-23T04:00:00Z"}
          - {type: Ready, status: "True", lastTransitionTime: "2026-11-23T04:00:09Z"}
        """));

    assertThat(pod).isEqualTo(new PodSnapshot("shop", "web-1", "u1", "node-1", "Running", false, false,
        Instant.parse("2026-11-23T04:00:00Z"), Instant.parse("2026-11-23T04:00:02Z"), true,
        Instant.parse("2026-11-23T04:00:09Z"), new OwnerRef("ReplicaSet", "web-7d9", "rs1"), Map.of("app", "web"),
        true, null));
  }

  @Test
  void keepsTheNetworkRequestOnlyForPodsThatAskForAnotherNetworkAndThePodIpForPodNetworkPods() {
    String template = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: %s
          namespace: shop
          annotations: {%s}
        status: {phase: Running, podIP: 172.16.1.9}
        """;
    PodSnapshot eni = Projections.pod(parse(template.formatted("eni-1",
        "tke.cloud.tencent.com/networks: tke-route-eni")));
    PodSnapshot plain = Projections.pod(parse(template.formatted("plain", "")));

    assertThat(eni.networkRequest()).isEqualTo(new PodNetworkRequest("tke-route-eni", "172.16.1.9"));
    assertThat(plain.networkRequest()).isNull();
    assertThat(plain.podIp()).isEqualTo("172.16.1.9");
    assertThat(Projections.pod(parse(template.formatted("host", "").replace("status:",
        "spec: {hostNetwork: true}\nstatus:"))).podIp()).as("a hostNetwork pod's IP is its node's").isNull();
    assertThatThrownBy(() -> Projections.pod(parse(template.formatted("bad",
        "tke.cloud.tencent.com/networks: tke-route-eni").replace("podIP: 172.16.1.9", "podIP: [1]"))))
        .hasMessage("Pod shop/bad: status.podIP must be a string, got [1]");
  }

  @Test
  void projectsNodePodRangesFromEitherField() {
    String template = """
        apiVersion: v1
        kind: Node
        metadata: {name: n1}
        spec: %s
        """;
    assertThat(Projections.node(parse(template.formatted("{podCIDR: 172.16.1.0/26, podCIDRs: [172.16.1.0/26, "
        + "'fd00::/64']}"))).podCidrs()).containsExactly("172.16.1.0/26", "fd00::/64");
    assertThat(Projections.node(parse(template.formatted("{podCIDR: 172.16.1.0/26}"))).podCidrs())
        .containsExactly("172.16.1.0/26");
    assertThat(Projections.node(parse(template.formatted("{}"))).podCidrs()).isEmpty();
    assertThatThrownBy(() -> Projections.node(parse(template.formatted("{podCIDRs: [7]}"))))
        .hasMessage("Node n1: spec.podCIDRs[] must be a string, got 7");
  }

  @Test
  void projectsTheCiliumEndpointFixtureToItsOwningPodUid() throws Exception {
    EndpointSnapshot endpoint = Projections.endpoint(resource("ciliumendpoint.synthesized.yaml"));

    assertThat(endpoint).isEqualTo(new EndpointSnapshot("shop", "web-7d9c6b5f4-x2k8p",
        List.of("3f1c2a9e-5b7d-4c1e-9a2f-0d8e7c6b5a41"), "ready", List.of("172.16.1.57"), 48213, null));
  }

  @Test
  void projectsTheUpstreamCiliumNodeFixture() throws Exception {
    assertThat(Projections.project(resource("ciliumnode-kind-worker.yaml")).ref().name()).isEqualTo("kind-worker");
  }

  @Test
  void projectsNodeTaintsReadinessAndOnlyChainwatchAnnotations() {
    NodeSnapshot node = Projections.node(parse("""
        apiVersion: v1
        kind: Node
        metadata:
          name: 10.0.0.11
          creationTimestamp: "2026-11-23T04:00:00Z"
          annotations: {chainwatch.io/node-report: "{}", chainwatch.io/silence-until: "2026-12-01T00:00:00Z",
            node.alpha.kubernetes.io/ttl: "0"}
        spec:
          taints:
          - {key: node.cilium.io/agent-not-ready, value: "true", effect: NoSchedule}
          - {key: node.kubernetes.io/unschedulable, effect: NoSchedule}
        status:
          conditions: [{type: Ready, status: "False"}]
        """));

    assertThat(node.ready()).isFalse();
    assertThat(node.taints()).containsExactly("node.cilium.io/agent-not-ready=true:NoSchedule",
        "node.kubernetes.io/unschedulable:NoSchedule");
    assertThat(node.annotations()).containsOnlyKeys("chainwatch.io/silence-until");
    assertThat(node.report().problem()).as("the report is held parsed; this one does not fit")
        .contains("version must be 1");
  }

  @Test
  void projectsCiliumConfigData() {
    CiliumConfigSnapshot config = Projections.ciliumConfig(parse("""
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: cilium-config, namespace: kube-system}
        data: {disable-endpoint-crd: "true", routing-mode: native}
        """));

    assertThat(config.endpointCrdDisabled()).isTrue();
    assertThat(config.data()).containsEntry("routing-mode", "native");
  }

  @Test
  void rejectsFieldsOfTheWrongTypeNamingObjectFieldAndValue() {
    assertThatThrownBy(() -> Projections.pod(parse("""
        apiVersion: v1
        kind: Pod
        metadata: {name: web-1, namespace: shop}
        status: {phase: 7}
        """))).isInstanceOf(ProjectionException.class).hasMessage("Pod shop/web-1: status.phase must be a string, got 7");
    assertThatThrownBy(() -> Projections.pod(parse("""
        apiVersion: v1
        kind: Pod
        metadata: {name: web-1, namespace: shop}
        status: {startTime: yesterday}
        """))).hasMessage("Pod shop/web-1: status.startTime must be an RFC 3339 time, got yesterday");
    assertThatThrownBy(() -> Projections.endpoint(parse("""
        apiVersion: cilium.io/v2
        kind: CiliumEndpoint
        metadata: {name: e}
        """))).hasMessage("CiliumEndpoint e: metadata.namespace is missing");
    assertThatThrownBy(() -> Projections.node(parse("""
        apiVersion: v1
        kind: Node
        metadata: {name: n}
        spec: {taints: "none"}
        """))).hasMessage("Node n: spec.taints must be a list, got none");
  }

  @Test
  void knowsWhichKindsItReads() {
    assertThat(Projections.snapshotTypeOf("v1", "Pod")).isEqualTo(PodSnapshot.class);
    assertThat(Projections.snapshotTypeOf("cilium.io/v2", "CiliumEndpoint")).isEqualTo(EndpointSnapshot.class);
    assertThat(Projections.snapshotTypeOf("apps/v1", "Deployment")).isNull();
    assertThat(Projections.snapshotTypeOf("example.com/v1", "Pod")).isNull();
  }
}
