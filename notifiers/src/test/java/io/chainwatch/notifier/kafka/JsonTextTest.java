package io.chainwatch.notifier.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.model.BusMessage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTextTest {
  @Test
  void everyAuditedRecordEncodesToTheSameTextAsBefore() {
    CloudEventMapper mapper = new CloudEventMapper("prod", () -> "id-1");
    List<BusMessage> records = CloudEventMapperTest.everyAuditedRecord();
    assertThat(records).isNotEmpty();
    for (BusMessage record : records) {
      JsonObject event = mapper.audit(record, "prod-abc-1").orElseThrow();
      assertThat(JsonText.encode(event)).isEqualTo(event.encode());
    }
    JsonObject page = mapper.page(CloudEventMapperTest.incidentChange());
    assertThat(JsonText.encode(page)).isEqualTo(page.encode());
  }

  @Test
  void valuesOfEveryJsonShapeEncodeAsDataBindingEncodesThem() {
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("quote \" backslash \\ newline \n tab \t control \u0001", "é ü 中 \uD83D\uDE00 </script>");
    nested.put("null", null);
    JsonObject object = new JsonObject()
        .put("int", 7).put("long", 9_007_199_254_740_993L).put("double", 0.1).put("negative", -1.5e-300)
        .put("big", new BigInteger("123456789012345678901234567890")).put("decimal", new BigDecimal("1.50"))
        .put("bool", false).put("at", Instant.parse("2026-12-01T18:00:00.123Z"))
        .put("bytes", new byte[] {0, 1, (byte) 0xff}).put("map", nested)
        .put("list", List.of(1, "two", List.of(), Map.of())).put("array", new JsonArray().add(3).addNull())
        .put("empty", new JsonObject());

    assertThat(JsonText.encode(object)).isEqualTo(object.encode());
  }

  record Opaque(String name, int size) {}

  @Test
  void aValueOnlyDataBindingKnowsIsStillEncoded() {
    JsonObject object = new JsonObject().put("value", new Opaque("x", 2));

    assertThat(JsonText.encode(object)).isEqualTo(object.encode()).contains("\"name\":\"x\"");
  }
}
