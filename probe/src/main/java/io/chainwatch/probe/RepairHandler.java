package io.chainwatch.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Answers chainwatch's repair requests ({@code chainwatch.io/rp-filter-repair} on this probe's Node): writes the
 * requested rp_filter values once per request id and keeps the answer for the report ({@code repair}). A request past
 * its {@code expiresAt} is refused, never applied late; one that does not fit is refused with the field named. After
 * a restart the answer already in the node's report marks its request as handled, so nothing is written twice.
 */
public final class RepairHandler {
  public static final String ANNOTATION = "chainwatch.io/rp-filter-repair";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HostFacts facts;
  private boolean started;
  private String handledId;
  private ObjectNode lastAnswer;
  private String lastProblem;

  public RepairHandler(HostFacts facts) {
    this.facts = facts;
  }

  /**
   * Looks at the node's annotations; handles a request not handled yet.
   *
   * @return true when a request was answered now (the report should be written without waiting)
   */
  public boolean handle(Map<String, String> annotations, String uplink, Instant now) {
    if (!started) {
      started = true;
      rememberPreviousAnswer(annotations.get(NodeReport.ANNOTATION));
    }
    String text = annotations.get(ANNOTATION);
    if (text == null) {
      return false;
    }
    JsonNode request;
    try {
      request = JSON.readTree(text);
    } catch (IOException e) {
      note(ANNOTATION + " is not JSON, ignored: " + e.getMessage());
      return false;
    }
    String id = request == null ? "" : request.path("id").asText("");
    if (id.isEmpty()) {
      note(ANNOTATION + " has no id, ignored");
      return false;
    }
    if (id.equals(handledId)) {
      return false;
    }
    ObjectNode answer = JSON.createObjectNode();
    answer.put("id", id);
    answer.put("at", now.toString());
    String refused = refusal(request, now);
    Map<String, Integer> values = new TreeMap<>();
    if (refused == null) {
      for (Iterator<Map.Entry<String, JsonNode>> it = request.path("rpFilter").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> value = it.next();
        if (!value.getValue().isInt() || value.getValue().asInt() < 0 || value.getValue().asInt() > 2) {
          refused = "rpFilter." + value.getKey() + " must be 0, 1 or 2, got " + value.getValue();
          break;
        }
        values.put(value.getKey(), value.getValue().asInt());
      }
    }
    if (refused != null) {
      answer.put("refused", refused);
      System.err.println("chainwatch-probe: repair " + id + " refused: " + refused);
    } else {
      Map<String, String> errors = facts.writeRpFilter(uplink, values);
      ObjectNode written = answer.putObject("written");
      values.forEach((iface, value) -> {
        if (!errors.containsKey(iface)) {
          written.put(iface, value);
        }
      });
      if (!errors.isEmpty()) {
        ObjectNode failed = answer.putObject("errors");
        errors.forEach(failed::put);
      }
      System.err.println("chainwatch-probe: repair " + id + ": wrote rp_filter " + written
          + (errors.isEmpty() ? "" : ", failed " + errors));
    }
    handledId = id;
    lastAnswer = answer;
    return true;
  }

  /** The answer to the last request handled, for the report; {@code null} before any. */
  public ObjectNode lastAnswer() {
    return lastAnswer;
  }

  private static String refusal(JsonNode request, Instant now) {
    if (request.path("version").asInt(-1) != 1) {
      return "version must be 1, got " + request.get("version");
    }
    if (!request.path("rpFilter").isObject()) {
      return "rpFilter must be an object, got " + request.get("rpFilter");
    }
    try {
      Instant expiresAt = Instant.parse(request.path("expiresAt").asText(""));
      if (now.isAfter(expiresAt)) {
        return "expired at " + expiresAt + " (requested at " + request.path("requestedAt").asText("?")
            + "): not applied late";
      }
    } catch (DateTimeParseException e) {
      return "expiresAt must be an RFC 3339 time, got " + request.get("expiresAt");
    }
    return null;
  }

  private void rememberPreviousAnswer(String report) {
    if (report == null) {
      return;
    }
    try {
      JsonNode repair = JSON.readTree(report).path("repair");
      if (repair.isObject() && repair.hasNonNull("id")) {
        handledId = repair.get("id").asText();
        lastAnswer = (ObjectNode) repair;
      }
    } catch (IOException e) {
      // an unreadable report holds no answer: requests are judged afresh
    }
  }

  private void note(String problem) {
    if (!problem.equals(lastProblem)) {
      System.err.println("chainwatch-probe: " + problem);
    }
    lastProblem = problem;
  }
}
