package io.chainwatch.remediation.action;

import io.chainwatch.remediation.policy.RepairRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code chainwatch.io/rp-filter-repair} annotation (a contract between chainwatch and its probe, in README):
 * {@code {"version":1,"id":..,"requestedAt":..,"expiresAt":..,"rpFilter":{"<interface>":0..2},"finding":..,
 * "attempts":[..],"signature":"hmac-sha256:.."}}: the signature is {@link RepairSigner}'s for the node.
 */
public final class RepairRequestCodec {
  private RepairRequestCodec() {}

  /** The annotation for {@code node}, signed for it with {@code signer}. */
  public static String encode(RepairRequest request, String node, RepairSigner signer) {
    return new JsonObject(encode(request)).put("signature", signer.sign(node, request)).encode();
  }

  public static String encode(RepairRequest request) {
    JsonObject values = new JsonObject();
    new TreeMap<>(request.values()).forEach(values::put);
    JsonArray attempts = new JsonArray();
    request.attempts().forEach(at -> attempts.add(at.toString()));
    return new JsonObject()
        .put("version", RepairRequest.VERSION)
        .put("id", request.id())
        .put("requestedAt", request.requestedAt().toString())
        .put("expiresAt", request.expiresAt().toString())
        .put("rpFilter", values)
        .put("finding", request.findingKey())
        .put("attempts", attempts)
        .encode();
  }

  /** Reads the annotation; the exception names the field and the value that do not fit. */
  public static RepairRequest decode(String text) {
    JsonObject json;
    try {
      json = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("not a JSON object: " + abbreviate(text));
    }
    if (!Integer.valueOf(RepairRequest.VERSION).equals(json.getValue("version"))) {
      throw new IllegalArgumentException("version must be " + RepairRequest.VERSION + ", got "
          + json.getValue("version"));
    }
    Object id = json.getValue("id");
    if (!(id instanceof String idText) || idText.isEmpty()) {
      throw new IllegalArgumentException("id must be a non-empty string, got " + id);
    }
    Map<String, Integer> values = new TreeMap<>();
    Object rpFilter = json.getValue("rpFilter");
    if (!(rpFilter instanceof JsonObject object)) {
      throw new IllegalArgumentException("rpFilter must be an object, got " + rpFilter);
    }
    for (Map.Entry<String, Object> value : object) {
      if (!(value.getValue() instanceof Integer number) || number < 0 || number > 2) {
        throw new IllegalArgumentException("rpFilter." + value.getKey() + " must be 0, 1 or 2, got "
            + value.getValue());
      }
      values.put(value.getKey(), number);
    }
    List<Instant> attempts = new ArrayList<>();
    Object listed = json.getValue("attempts");
    if (listed != null && !(listed instanceof JsonArray)) {
      throw new IllegalArgumentException("attempts must be a list of times, got " + listed);
    }
    if (listed instanceof JsonArray array) {
      for (Object at : array) {
        attempts.add(time("attempts[]", at));
      }
    }
    Object finding = json.getValue("finding");
    return new RepairRequest((String) id, time("requestedAt", json.getValue("requestedAt")),
        time("expiresAt", json.getValue("expiresAt")), values, finding instanceof String key ? key : null, attempts);
  }

  private static Instant time(String field, Object value) {
    try {
      return Instant.parse(String.valueOf(value));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(field + " must be an RFC 3339 time, got " + value);
    }
  }

  private static String abbreviate(String text) {
    return text.length() > 80 ? text.substring(0, 80) + "..." : text;
  }
}
