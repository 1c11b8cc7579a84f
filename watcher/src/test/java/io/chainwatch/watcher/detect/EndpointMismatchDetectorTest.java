package io.chainwatch.watcher.detect;

import static io.chainwatch.watcher.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.model.EndpointSnapshot;
import io.chainwatch.model.Finding;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.Severity;
import io.chainwatch.model.Snapshot;
import io.chainwatch.watcher.Fixtures;
import io.chainwatch.watcher.view.Projections;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** endpoint-mismatch over a real CiliumEndpoint (and one derived from it), projected as informers project them. */
class EndpointMismatchDetectorTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final EndpointMismatchDetector DETECTOR = new EndpointMismatchDetector(Duration.ofMinutes(2));
  /** The endpoint was created 2024-03-23T13:05:09Z; judged an hour later. */
  private static final Instant NOW = Instant.parse("2024-03-23T14:05:09Z");
  private static final String UID = "90b353f5-53a1-4d98-8204-8adf1156ecec";

  private static EndpointSnapshot endpoint(String file) throws Exception {
    return Projections.endpoint(SERIALIZATION.unmarshal(Files.readString(
        Path.of("src/test/resources/cilium/endpoints", file)), GenericKubernetesResource.class));
  }

  private static Fixtures.PodBuilder wluo() {
    return pod("default", "wluo-mvz4t").uid(UID).node("cilium-kpr-worker2").owner("DaemonSet", "wluo")
        .started(Instant.parse("2024-03-23T13:05:08Z")).ip("10.0.1.200");
  }

  private static List<Finding> judge(Instant now, Snapshot... snapshots) {
    return DETECTOR.evaluate(io.chainwatch.model.ResourceRef.pod("default", "wluo-mvz4t"),
        Fixtures.view(snapshots), now).findings();
  }

  @Test
  void theProjectionKeepsAddressesIdentityAndCreationTime() throws Exception {
    EndpointSnapshot real = endpoint("cep-wluo-1.15.json");
    assertThat(real.addresses()).containsExactly("10.0.1.200");
    assertThat(real.identityId()).isEqualTo(48861);
    assertThat(real.createdAt()).isEqualTo(Instant.parse("2024-03-23T13:05:09Z"));
    assertThat(real.ownedBy(UID)).isTrue();
  }

  @Test
  void theRealEndpointMatchesItsPod() throws Exception {
    assertThat(judge(NOW, wluo().build(), endpoint("cep-wluo-1.15.json"))).isEmpty();
  }

  @Test
  void anEndpointWithAnotherAddressThanThePodIsRestartedWhenTheOwnerRecreatesIt() throws Exception {
    List<Finding> findings = judge(NOW, wluo().ip("10.0.1.201").build(), endpoint("cep-wluo-1.15.json"));

    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
      assertThat(f.action()).isEqualTo(PlannedAction.RESTART);
      assertThat(f.reason()).isEqualTo("address-mismatch");
      assertThat(f.summary()).contains("gives the addresses 10.0.1.200 but the pod's IP is 10.0.1.201",
          "its DaemonSet wluo recreates it");
      assertThat(f.facts().subjectUid()).isEqualTo(UID);
    });
  }

  @Test
  void anIdentityStuckAtReservedInitIsReportedAndABarePodPaged() throws Exception {
    List<Finding> findings = judge(NOW, wluo().bare().build(), endpoint("cep-wluo-reserved-init.json"));

    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.reason()).isEqualTo("identity-init");
      assertThat(f.action()).isEqualTo(PlannedAction.PAGE);
      assertThat(f.summary()).contains("reserved:init identity 1 h", "a person must");
    });
  }

  static Stream<Arguments> mustNotReport() throws Exception {
    EndpointSnapshot init = endpoint("cep-wluo-reserved-init.json");
    EndpointSnapshot real = endpoint("cep-wluo-1.15.json");
    return Stream.of(
        Arguments.of("a young endpoint still at reserved:init (labels being resolved)",
            Instant.parse("2024-03-23T13:06:00Z"), List.of(wluo().build(), init)),
        Arguments.of("the moment after a pod starts: the agent has not published its address yet",
            Instant.parse("2024-03-23T13:06:00Z"), List.of(wluo().ip("10.0.1.201").build(), real)),
        Arguments.of("an endpoint of an earlier pod with the same name (another UID)", NOW,
            List.of(wluo().uid("new-uid").ip("10.0.1.201").build(), real)),
        Arguments.of("a hostNetwork pod", NOW, List.of(wluo().hostNetwork().ip("10.0.1.201").build(), real)),
        Arguments.of("a terminating pod", NOW, List.of(wluo().terminating().ip("10.0.1.201").build(), real)),
        Arguments.of("a pod without an IP yet", NOW, List.of(wluo().ip(null).build(), real)),
        Arguments.of("a Pending pod", NOW, List.of(wluo().phase("Pending").ip("10.0.1.201").build(), real)),
        Arguments.of("no endpoint (missed-cilium-chain's)", NOW, List.of(wluo().build())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mustNotReport")
  void mustNotReport(String name, Instant now, List<Snapshot> snapshots) {
    assertThat(judge(now, snapshots.toArray(Snapshot[]::new))).as(name).isEmpty();
  }

  @Test
  void addressesCompareAsAddresses() {
    assertThat(EndpointMismatchDetector.holds(List.of("fd00:10:244:1::b8a4"), "fd00:10:244:1:0:0:0:b8a4")).isTrue();
    assertThat(EndpointMismatchDetector.holds(List.of("10.0.1.200", "fd00::1"), "10.0.1.200")).isTrue();
    assertThat(EndpointMismatchDetector.holds(List.of("10.0.1.200"), "10.0.1.2")).isFalse();
  }
}
