package io.chainwatch.remediation.action;

import io.chainwatch.remediation.policy.EvictionRecord;
import io.chainwatch.remediation.policy.RemediationHistory;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The remediation history as the JSON text kept in the state ConfigMap ({@code state.json}, {@code version: 1}).
 * A person may read it with kubectl; chainwatch refuses (rather than guesses at) a document it does not understand.
 */
public final class RemediationStateCodec {
  public static final int VERSION = 1;

  private RemediationStateCodec() {}

  public static String encode(RemediationHistory history) {
    JsonArray evictions = new JsonArray();
    for (EvictionRecord record : history.evictions()) {
      evictions.add(new JsonObject()
          .put("podKey", record.podKey())
          .put("podUid", record.podUid())
          .put("ownerKey", record.ownerKey())
          .put("node", record.node())
          .put("findingKey", record.findingKey())
          .put("requestedAt", record.requestedAt().toString())
          .put("status", record.status().wireName())
          .put("budgetRefusals", record.budgetRefusals())
          .put("retryAt", record.retryAt() == null ? null : record.retryAt().toString())
          .put("budget", record.budget())
          .put("dryRun", record.dryRun()));
    }
    JsonObject podAttempts = new JsonObject();
    history.lastPodAttempts().forEach((pod, at) -> podAttempts.put(pod, at.toString()));
    JsonObject ownerAttempts = new JsonObject();
    history.ownerAttempts().forEach((owner, times) ->
        ownerAttempts.put(owner, new JsonArray(times.stream().map(Instant::toString).toList())));
    JsonObject counted = new JsonObject();
    history.restartFindings().forEach((pod, finding) -> counted.put(pod,
        new JsonObject().put("node", finding.node()).put("firstSeen", finding.firstSeen().toString())));
    JsonObject breaker = history.breaker().map(state -> new JsonObject()
        .put("openedAt", state.openedAt().toString())
        .put("closesAt", state.closesAt().toString())
        .put("reason", state.reason())).orElse(null);
    return new JsonObject()
        .put("version", VERSION)
        .put("evictions", evictions)
        .put("podAttempts", podAttempts)
        .put("ownerAttempts", ownerAttempts)
        .put("recentEvictions", new JsonArray(history.recentEvictions().stream().map(Instant::toString).toList()))
        .put("restartFindings", counted)
        .put("breaker", breaker)
        .encode();
  }

  /**
   * Reads the text back.
   *
   * @throws IllegalArgumentException naming the field and value that do not fit
   */
  public static RemediationHistory decode(String text) {
    JsonObject root;
    try {
      root = new JsonObject(text);
    } catch (DecodeException e) {
      throw new IllegalArgumentException("state.json is not a JSON object: " + e.getMessage());
    }
    Object version = root.getValue("version");
    if (!(version instanceof Number number) || number.intValue() != VERSION) {
      throw new IllegalArgumentException("state.json version must be " + VERSION + ", got " + version);
    }
    RemediationHistory history = new RemediationHistory();
    JsonArray evictions = array(root, "evictions");
    for (int i = 0; i < evictions.size(); i++) {
      String where = "evictions[" + i + "]";
      if (!(evictions.getValue(i) instanceof JsonObject e)) {
        throw new IllegalArgumentException(where + " must be an object");
      }
      history.putEviction(new EvictionRecord(
          text(e, "podKey", where),
          text(e, "podUid", where),
          text(e, "ownerKey", where),
          e.getString("node"),
          e.getString("findingKey"),
          instant(e.getValue("requestedAt"), where + ".requestedAt"),
          status(e.getValue("status"), where + ".status"),
          e.getInteger("budgetRefusals", 0),
          e.getValue("retryAt") == null ? null : instant(e.getValue("retryAt"), where + ".retryAt"),
          e.getString("budget"),
          e.getBoolean("dryRun", false)));
    }
    JsonObject podAttempts = object(root, "podAttempts");
    for (String pod : podAttempts.fieldNames()) {
      history.restorePodAttempt(pod, instant(podAttempts.getValue(pod), "podAttempts." + pod));
    }
    JsonObject ownerAttempts = object(root, "ownerAttempts");
    for (String owner : ownerAttempts.fieldNames()) {
      if (!(ownerAttempts.getValue(owner) instanceof JsonArray times)) {
        throw new IllegalArgumentException("ownerAttempts." + owner + " must be a list of times");
      }
      List<Instant> parsed = new ArrayList<>();
      for (int i = 0; i < times.size(); i++) {
        parsed.add(instant(times.getValue(i), "ownerAttempts." + owner + "[" + i + "]"));
      }
      history.restoreOwnerAttempts(owner, parsed);
    }
    JsonArray recent = array(root, "recentEvictions");
    for (int i = 0; i < recent.size(); i++) {
      history.restoreRecentEviction(instant(recent.getValue(i), "recentEvictions[" + i + "]"));
    }
    JsonObject counted = object(root, "restartFindings");
    for (String pod : counted.fieldNames()) {
      if (!(counted.getValue(pod) instanceof JsonObject finding)) {
        throw new IllegalArgumentException("restartFindings." + pod + " must be an object");
      }
      history.restoreRestartFinding(pod, new RemediationHistory.CountedFinding(finding.getString("node"),
          instant(finding.getValue("firstSeen"), "restartFindings." + pod + ".firstSeen")));
    }
    Object breaker = root.getValue("breaker");
    if (breaker instanceof JsonObject open) {
      history.openBreaker(new RemediationHistory.BreakerState(
          instant(open.getValue("openedAt"), "breaker.openedAt"),
          instant(open.getValue("closesAt"), "breaker.closesAt"),
          open.getString("reason", "")));
    } else if (breaker != null) {
      throw new IllegalArgumentException("breaker must be an object or null, got " + breaker);
    }
    return history;
  }

  private static JsonArray array(JsonObject root, String field) {
    Object value = root.getValue(field);
    if (value == null) {
      return new JsonArray();
    }
    if (value instanceof JsonArray array) {
      return array;
    }
    throw new IllegalArgumentException(field + " must be a list, got " + value);
  }

  private static JsonObject object(JsonObject root, String field) {
    Object value = root.getValue(field);
    if (value == null) {
      return new JsonObject();
    }
    if (value instanceof JsonObject object) {
      return object;
    }
    throw new IllegalArgumentException(field + " must be an object, got " + value);
  }

  private static String text(JsonObject object, String field, String where) {
    Object value = object.getValue(field);
    if (!(value instanceof String text) || text.isEmpty()) {
      throw new IllegalArgumentException(where + "." + field + " must be a non-empty string, got " + value);
    }
    return text;
  }

  private static Instant instant(Object value, String where) {
    if (value instanceof String text) {
      try {
        return Instant.parse(text);
      } catch (DateTimeParseException e) {
        // fall through to the message below
      }
    }
    throw new IllegalArgumentException(where + " must be an RFC 3339 time such as 2026-11-23T04:00:00Z, got "
        + value);
  }

  private static EvictionRecord.Status status(Object value, String where) {
    if (value instanceof String text) {
      try {
        return EvictionRecord.Status.valueOf(text.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        // fall through
      }
    }
    throw new IllegalArgumentException(where + " must be one of requested, evicted, refused, settled, got " + value);
  }
}
