package io.chainwatch.notifier.kafka;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The published record schema ({@code docs/schema}), as consumers would apply it. */
final class RecordSchema {
  private static final Schema SCHEMA = load();

  private RecordSchema() {}

  private static Schema load() {
    try {
      String text = Files.readString(Path.of("..", "docs", "schema", "chainwatch-record-v1.schema.json"));
      return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
          .getSchema(text, InputFormat.JSON);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The schema's complaints about {@code json}, and those of the data schema its {@code dataschema} names about its
   * {@code data} (as a consumer that only reads data would check it); empty when both are valid.
   */
  static List<String> errors(String json) {
    List<String> errors = new java.util.ArrayList<>(SCHEMA.validate(json, InputFormat.JSON).stream()
        .map(Object::toString).toList());
    io.vertx.core.json.JsonObject record = new io.vertx.core.json.JsonObject(json);
    String named = record.getString("dataschema", "");
    if (!named.startsWith(CloudEventMapper.DATA_SCHEMA_BASE)) {
      errors.add("dataschema " + named + " is not one of the data schemas under " + CloudEventMapper.DATA_SCHEMA_BASE);
      return errors;
    }
    Path file = Path.of("..", "docs", "schema", "data", named.substring(CloudEventMapper.DATA_SCHEMA_BASE.length()));
    try {
      Schema data = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
          .getSchema(Files.readString(file), InputFormat.JSON);
      data.validate(record.getJsonObject("data").encode(), InputFormat.JSON)
          .forEach(error -> errors.add("data against " + named + ": " + error));
    } catch (IOException e) {
      errors.add("dataschema " + named + " names no published schema (" + file + ")");
    }
    return errors;
  }
}
