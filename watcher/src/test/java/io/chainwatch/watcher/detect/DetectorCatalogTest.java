package io.chainwatch.watcher.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.config.ChainwatchConfig;
import io.chainwatch.config.Setting;
import io.chainwatch.model.ClusterChange;
import io.chainwatch.model.Snapshot;
import io.chainwatch.watcher.Configuration;
import io.chainwatch.watcher.scan.DumpReader;
import io.chainwatch.watcher.view.AgentIdentity;
import io.chainwatch.watcher.view.ClusterState;
import io.chainwatch.watcher.view.WatchedKind;
import io.chainwatch.watcher.view.WatchedKinds;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class DetectorCatalogTest {
  private static List<String> ids(ChainwatchConfig config) {
    return DetectorCatalog.enabled(config).stream().map(Detector::id).toList();
  }

  @Test
  void everyDetectorIsDeclaredOnceWithATitleARunbookAndItsOwnSwitch() {
    Set<String> ids = new java.util.LinkedHashSet<>();
    for (DetectorSpec spec : DetectorCatalog.ALL) {
      assertThat(ids.add(spec.id())).as("id " + spec.id() + " declared twice").isTrue();
      assertThat(spec.text().title()).as(spec.id()).isNotBlank();
      assertThat(spec.text().runbook()).as(spec.id()).isNotBlank();
      assertThat(spec.enabled().path()).isEqualTo("detectors." + spec.id() + ".enabled");
      assertThat(spec.factory().apply(ChainwatchConfig.defaults()).id()).as("what the factory builds")
          .isEqualTo(spec.id());
      assertThat(spec.reads()).as(spec.id() + " reads kinds the view has")
          .isSubsetOf(WatchedKinds.snapshotTypes());
    }
    assertThat(ids(ChainwatchConfig.defaults())).containsExactlyElementsOf(ids);
  }

  @Test
  void aDetectorIsSwitchedOffByItsIdAndTheDoctorsSwitchTakesItsWholeGroup() {
    assertThat(ids(Configuration.load(null, Map.of("CHAINWATCH_DETECTORS_L7_POLICY_IN_CHAINING_ENABLED", "false"))))
        .doesNotContain(L7PolicyInChainingDetector.ID)
        .contains(DeploymentDoctorDetector.ID, VpcCniCoexistenceDetector.ID, MissedCiliumChainDetector.ID);
    assertThat(ids(Configuration.load(null, Map.of("CHAINWATCH_DETECTORS_DEPLOYMENT_DOCTOR_ENABLED", "false"))))
        .doesNotContain(DeploymentDoctorDetector.ID, MissingAgentNotReadyTaintDetector.ID,
            L7PolicyInChainingDetector.ID, VpcCniCoexistenceDetector.ID)
        .containsExactlyElementsOf(DetectorCatalog.ALL.stream()
            .filter(spec -> spec.enabled() != io.chainwatch.config.Settings.DOCTOR_ENABLED
                && spec.group() != io.chainwatch.config.Settings.DOCTOR_ENABLED)
            .map(DetectorSpec::id).toList());
    assertThat(ids(Configuration.load(null, Map.of("CHAINWATCH_DETECTORS_RP_FILTER_RESET_ENABLED", "false"))))
        .doesNotContain(RpFilterResetDetector.ID).hasSize(DetectorCatalog.ALL.size() - 1);
  }

  @Test
  void aDetectorsOwnSettingIsCheckedLikeAnyOther() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Configuration.load(null,
            Map.of("CHAINWATCH_DETECTORS_VPC_CNI_COEXISTENCE_BROKEN_ENABLED", "maybe")))
        .hasMessageContaining("CHAINWATCH_DETECTORS_VPC_CNI_COEXISTENCE_BROKEN_ENABLED must be true or false")
        .hasMessageContaining("\"maybe\"");
  }

  /**
   * Evaluation offers a detector only the changes of the kinds its declaration reads. This holds the declarations to
   * the code: for every object of the dump fixtures and the rendered Cilium charts, a detector whose declaration does
   * not read its kind must find nothing affected by it, so routing never hides a change a detector would act on.
   */
  @Test
  void aDetectorIsAffectedByNoChangeOfAKindItsDeclarationDoesNotRead() throws Exception {
    int checked = 0;
    for (Path dump : dumps()) {
      ClusterState state = ClusterState.detached(AgentIdentity.from(ChainwatchConfig.defaults()));
      try (InputStream input = Files.newInputStream(dump)) {
        new DumpReader(state).read(dump.toString(), input);
      }
      for (WatchedKind<?> watched : WatchedKinds.ALL) {
        for (Snapshot snapshot : state.table(watched.snapshotType()).snapshots()) {
          ClusterChange added = new ClusterChange(snapshot.ref(), null, snapshot);
          ClusterChange deleted = new ClusterChange(snapshot.ref(), snapshot, null);
          for (DetectorSpec spec : DetectorCatalog.ALL) {
            if (spec.reads().contains(snapshot.getClass())) {
              continue;
            }
            Detector detector = spec.factory().apply(ChainwatchConfig.defaults());
            for (ClusterChange change : List.of(added, deleted)) {
              Subjects subjects = detector.affectedBy(change, state);
              assertThat(subjects.all() || !subjects.refs().isEmpty())
                  .as(spec.id() + " is affected by " + snapshot.ref() + " from " + dump.getFileName()
                      + " but does not declare that it reads " + snapshot.getClass().getSimpleName())
                  .isFalse();
              checked++;
            }
          }
        }
      }
    }
    assertThat(checked).as("the fixtures hold objects of kinds some detectors do not read").isGreaterThan(100);
  }

  private static List<Path> dumps() throws Exception {
    List<Path> dumps = new java.util.ArrayList<>();
    for (String dir : List.of("src/test/resources/dumps", "src/test/resources/real/cilium-chart")) {
      try (Stream<Path> files = Files.list(Path.of(dir))) {
        files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".json")).sorted()
            .forEach(dumps::add);
      }
    }
    return dumps;
  }

  @Test
  void everySettingADetectorDeclaresHasItsReadmeRow() throws Exception {
    List<String> rows = Files.readAllLines(Path.of("..", "README.md")).stream()
        .filter(line -> line.startsWith("| `")).toList();
    for (Setting<?> setting : DetectorCatalog.ownSettings()) {
      String expectedStart = "| `" + setting.path() + "` | `" + setting.envName() + "` | `" + setting.defaultValue()
          + "` |";
      assertThat(rows).as("README row for " + setting.path()).anyMatch(row -> row.startsWith(expectedStart));
    }
  }
}
