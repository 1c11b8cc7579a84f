package io.chainwatch.notifier.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each record type's data schema ({@code docs/schema/data/<type>.schema.json}, what {@code dataschema} names) is
 * derived from the envelope schema, so the two can never disagree: this test fails when a file differs from its
 * derivation ({@code -Dchainwatch.writeSchemas=true} writes them).
 */
class DataSchemasTest {
  static final Path DIR = Path.of("..", "docs", "schema");

  /** Type → its data schema, derived from the envelope's per-type rules. */
  static Map<String, JsonObject> derived() throws Exception {
    JsonObject envelope = new JsonObject(Files.readString(DIR.resolve("chainwatch-record-v1.schema.json")));
    JsonObject base = envelope.getJsonObject("properties").getJsonObject("data");
    Map<String, JsonObject> schemas = new LinkedHashMap<>();
    for (Object rule : envelope.getJsonArray("allOf")) {
      JsonObject when = ((JsonObject) rule).getJsonObject("if").getJsonObject("properties").getJsonObject("type");
      JsonArray types = when.containsKey("const") ? new JsonArray().add(when.getString("const"))
          : when.getJsonArray("enum");
      JsonObject data = ((JsonObject) rule).getJsonObject("then").getJsonObject("properties").getJsonObject("data");
      for (Object type : types) {
        schemas.put((String) type, new JsonObject()
            .put("$schema", envelope.getString("$schema"))
            .put("$id", CloudEventMapper.dataSchema((String) type))
            .put("title", "data of a chainwatch " + type + " record")
            .put("description", "Derived from chainwatch-record-v1.schema.json (the envelope); a record's "
                + "dataschema names this file.")
            .put("allOf", new JsonArray().add(base.copy()).add(data.copy()))
            .put("$defs", envelope.getJsonObject("$defs").copy()));
      }
    }
    return schemas;
  }

  @Test
  void everyTypeHasItsDataSchemaDerivedFromTheEnvelope() throws Exception {
    Map<String, JsonObject> schemas = derived();
    if (Boolean.getBoolean("chainwatch.writeSchemas")) {
      Files.createDirectories(DIR.resolve("data"));
      for (var entry : schemas.entrySet()) {
        Files.writeString(DIR.resolve("data").resolve(entry.getKey() + ".schema.json"),
            entry.getValue().encodePrettily() + "\n");
      }
    }
    assertThat(schemas).containsKeys("io.chainwatch.finding.v1", "io.chainwatch.incident.v1",
        "io.chainwatch.page.v1", "io.chainwatch.remediation.outcome.v1");
    try (var files = Files.list(DIR.resolve("data"))) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrderElementsOf(schemas.keySet().stream().map(t -> t + ".schema.json").toList());
    }
    for (var entry : schemas.entrySet()) {
      assertThat(new JsonObject(Files.readString(DIR.resolve("data").resolve(entry.getKey() + ".schema.json"))))
          .as(entry.getKey()).isEqualTo(entry.getValue());
    }
  }
}
