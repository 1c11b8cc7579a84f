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

  /** The schema's complaints about {@code json}; empty when it is valid. */
  static List<String> errors(String json) {
    return SCHEMA.validate(json, InputFormat.JSON).stream().map(Object::toString).toList();
  }
}
