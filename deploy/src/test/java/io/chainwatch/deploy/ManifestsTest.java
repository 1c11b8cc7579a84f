package io.chainwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/manifests is the chart rendered with its defaults, one file per kind, numbered in apply order. It is
 * generated, never edited: this test fails when it drifts from the chart, and with
 * {@code -Dchainwatch.writeManifests=true} it writes them instead.
 */
class ManifestsTest {
  static final Path DIR = Path.of("manifests");
  private static final List<String> ORDER = List.of("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role",
      "RoleBinding", "ConfigMap", "Service", "PodDisruptionBudget", "Deployment", "DaemonSet");

  static Map<String, String> expected() {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setWidth(120);
    Yaml yaml = new Yaml(options);
    Map<String, List<Map<String, Object>>> byKind = new LinkedHashMap<>();
    for (Map<String, Object> object : Chart.render(Map.of())) {
      byKind.computeIfAbsent((String) object.get("kind"), k -> new ArrayList<>()).add(object);
    }
    Map<String, String> files = new LinkedHashMap<>();
    for (Map.Entry<String, List<Map<String, Object>>> kind : byKind.entrySet()) {
      int index = ORDER.indexOf(kind.getKey());
      String name = String.format("%03d-%s.yaml", (index < 0 ? ORDER.size() : index) * 10 + 10, kind.getKey());
      files.put(name, "# Generated from deploy/helm/chainwatch with its default values: do not edit.\n"
          + "# Regenerate: ./mvnw -pl deploy test -Dtest=ManifestsTest -Dchainwatch.writeManifests=true\n"
          + yaml.dumpAll(kind.getValue().iterator()));
    }
    return files;
  }

  @Test
  void theCommittedManifestsAreTheChartsDefaults() throws Exception {
    Map<String, String> expected = expected();
    if (Boolean.getBoolean("chainwatch.writeManifests")) {
      Files.createDirectories(DIR);
      try (Stream<Path> old = Files.list(DIR)) {
        for (Path file : old.toList()) {
          Files.delete(file);
        }
      }
      for (Map.Entry<String, String> file : expected.entrySet()) {
        Files.writeString(DIR.resolve(file.getKey()), file.getValue());
      }
    }
    Map<String, String> committed = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(DIR)) {
      for (Path file : files.sorted().toList()) {
        committed.put(file.getFileName().toString(), Files.readString(file));
      }
    }

    assertThat(committed).as("deploy/manifests drifted from the chart; regenerate them (see the file header)")
        .isEqualTo(expected);
  }
}
