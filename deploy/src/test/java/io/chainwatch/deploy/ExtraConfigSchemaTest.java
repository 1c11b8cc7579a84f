package io.chainwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainwatch.config.Setting;
import io.chainwatch.config.Settings;
import io.chainwatch.watcher.detect.DetectorCatalog;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code extraConfig} accepts exactly the settings chainwatch reads (every path of {@code Settings.ALL} and of each
 * detector's own), so a typo fails {@code helm lint} and {@code helm install} instead of the pod at start. The schema
 * fragment is generated from the settings; this test fails when it is stale ({@code -Dchainwatch.writeSchema=true}
 * writes it).
 */
class ExtraConfigSchemaTest {
  static final Path SCHEMA = Chart.DIR.resolve("values.schema.json");

  static JsonObject expected() {
    List<Setting<?>> all = new ArrayList<>(Settings.ALL);
    all.addAll(DetectorCatalog.ownSettings());
    JsonObject root = object();
    for (Setting<?> setting : all) {
      String[] parts = setting.path().split("\\.");
      JsonObject node = root;
      for (int i = 0; i < parts.length - 1; i++) {
        JsonObject properties = node.getJsonObject("properties");
        if (!properties.containsKey(parts[i])) {
          properties.put(parts[i], object());
        }
        node = properties.getJsonObject(parts[i]);
      }
      JsonArray types = new JsonArray().add("string").add("number").add("boolean");
      if (Settings.STRUCTURED.contains(setting)) {
        types.add("array").add("object");
      }
      node.getJsonObject("properties").put(parts[parts.length - 1], new JsonObject().put("type", types));
    }
    return root;
  }

  private static JsonObject object() {
    return new JsonObject().put("type", "object").put("additionalProperties", false)
        .put("properties", new JsonObject());
  }

  @Test
  void theExtraConfigSchemaIsTheSettingsChainwatchReads() throws Exception {
    String text = Files.readString(SCHEMA);
    String line = "    \"extraConfig\": " + expected().encode() + ",";
    if (Boolean.getBoolean("chainwatch.writeSchema")) {
      text = text.replaceFirst("(?m)^    \"extraConfig\": .*,$", java.util.regex.Matcher.quoteReplacement(line));
      Files.writeString(SCHEMA, text);
    }
    assertThat(text.lines()).contains(line);
  }

  @Test
  void aTypoInExtraConfigFailsTheRenderNamingTheKey() {
    assertThatThrownBy(() -> Chart.renderText(Map.of("extraConfig.remediation.modee", "enforce")))
        .hasMessageContaining("modee");
    assertThatThrownBy(() -> Chart.renderText(Map.of("extraConfig.sweepIntervall", "PT1M")))
        .hasMessageContaining("sweepIntervall");
    // real settings, nested or not, and a structured one
    assertThat(Chart.renderText(Map.of("extraConfig.remediation.podCooldown", "PT30M",
        "extraConfig.sweepInterval", "PT1M", "extraConfig.detectors.probe-silent.heartbeat", "PT10M")))
        .contains("podCooldown: PT30M");
  }
}
