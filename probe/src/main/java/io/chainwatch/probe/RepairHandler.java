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
 *
 * <p>Anyone who may patch Nodes can write the annotation, so the probe keeps its own rails whatever it is asked:
 * <ul>
 *   <li>the request must carry chainwatch's signature for this node ({@link RepairSignature}); without a key nothing
 *       is ever written;</li>
 *   <li>it only loosens: each value is 0, or 2 where the interface is at 1, and only for {@code all}, the uplink and
 *       Cilium's interfaces (what a routing mode needs); nothing is ever set to 1;</li>
 *   <li>its lifetime is at most {@link #MAX_TTL} and it is not dated in the future beyond {@link #CLOCK_SKEW};</li>
 *   <li>at most {@link #MAX_WRITES_PER_HOUR} requests are written per hour, valid ones included;</li>
 *   <li>requests are small ({@link #MAX_REQUEST_CHARS}), ids short and plain: an answer never bloats the report.</li>
 * </ul>
 */
public final class RepairHandler {
  public static final String ANNOTATION = "chainwatch.io/rp-filter-repair";
  private static final ObjectMapper JSON = new ObjectMapper();

  static final int MAX_REQUEST_CHARS = 4096;
  static final int MAX_ID_CHARS = 128;
  static final java.time.Duration MAX_TTL = java.time.Duration.ofMinutes(15);
  static final java.time.Duration CLOCK_SKEW = java.time.Duration.ofMinutes(5);
  static final int MAX_WRITES_PER_HOUR = 3;
  private static final java.util.regex.Pattern PLAIN_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._:-]+");

  private final HostFacts facts;
  private final String node;
  private final RepairSignature signature;
  private final java.util.Deque<Instant> writes = new java.util.ArrayDeque<>();
  private boolean started;
  private String handledId;
  private ObjectNode lastAnswer;
  private String lastProblem;

  /**
   * @param node this probe's node (requests are signed for one node)
   * @param signature chainwatch's key; {@code null} refuses every request
   */
  public RepairHandler(HostFacts facts, String node, RepairSignature signature) {
    this.facts = facts;
    this.node = node;
    this.signature = signature;
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
    if (text.length() > MAX_REQUEST_CHARS) {
      note(ANNOTATION + " is " + text.length() + " characters, more than a request ever needs ("
          + MAX_REQUEST_CHARS + "): ignored");
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
    if (id.length() > MAX_ID_CHARS || !PLAIN_ID.matcher(id).matches()) {
      note(ANNOTATION + " has an id that is not a short plain token: ignored");
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
      refused = loosening(request, uplink, values);
    }
    if (refused == null) {
      while (!writes.isEmpty() && writes.peekFirst().isBefore(now.minus(java.time.Duration.ofHours(1)))) {
        writes.removeFirst();
      }
      if (writes.size() >= MAX_WRITES_PER_HOUR) {
        refused = MAX_WRITES_PER_HOUR + " repairs were written on this node in the last hour (since "
            + writes.peekFirst() + "): no more this hour, whoever asks";
      }
    }
    boolean wrote = refused == null;
    if (wrote) {
      writes.addLast(now);
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
      System.err.println(Terminal.safe("chainwatch-probe: repair " + id + ": wrote rp_filter " + written
          + (errors.isEmpty() ? "" : ", failed " + errors)));
    } else {
      answer.put("refused", refused);
      System.err.println(Terminal.safe("chainwatch-probe: repair " + id + " refused: " + refused));
    }
    handledId = id;
    lastAnswer = answer;
    // a refusal waits for the next ordinary report write: requests cannot force writes
    return wrote;
  }

  /** The answer to the last request handled, for the report; {@code null} before any. */
  public ObjectNode lastAnswer() {
    return lastAnswer;
  }

  private String refusal(JsonNode request, Instant now) {
    if (request.path("version").asInt(-1) != 1) {
      return "version must be 1, got " + abbreviate(request.get("version"));
    }
    if (!request.path("rpFilter").isObject() || request.path("rpFilter").size() > 512) {
      return "rpFilter must be an object of at most 512 interfaces";
    }
    if (signature == null) {
      return "this probe has no repair key (CHAINWATCH_PROBE_REPAIR_KEY_FILE): it writes nothing";
    }
    if (!signature.verifies(node, request)) {
      return "the signature does not verify for node " + node + ": not a request from chainwatch";
    }
    Instant requestedAt;
    Instant expiresAt;
    try {
      requestedAt = Instant.parse(request.path("requestedAt").asText(""));
      expiresAt = Instant.parse(request.path("expiresAt").asText(""));
    } catch (DateTimeParseException e) {
      return "requestedAt and expiresAt must be RFC 3339 times";
    }
    if (now.isAfter(expiresAt)) {
      return "expired at " + expiresAt + " (requested at " + requestedAt + "): not applied late";
    }
    if (requestedAt.isAfter(now.plus(CLOCK_SKEW))) {
      return "requested at " + requestedAt + ", in the future: refused";
    }
    if (expiresAt.isAfter(requestedAt.plus(MAX_TTL))) {
      return "lives from " + requestedAt + " to " + expiresAt + ", longer than " + MAX_TTL + ": refused";
    }
    return null;
  }

  /**
   * Fills {@code values} with what to write, or says why the request would tighten anything or touch what a repair
   * never needs. Values already in place are left out.
   */
  private String loosening(JsonNode request, String uplink, Map<String, Integer> values) {
    Map<String, String> problems = new TreeMap<>();
    Map<String, Integer> current = facts.rpFilter(uplink, problems);
    for (Iterator<Map.Entry<String, JsonNode>> it = request.path("rpFilter").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String iface = entry.getKey();
      JsonNode value = entry.getValue();
      if (!value.isInt() || (value.asInt() != 0 && value.asInt() != 2)) {
        return "rpFilter." + abbreviate(iface) + " must be 0 or 2 (a repair only loosens), got " + abbreviate(value);
      }
      boolean needed = iface.equals("all") || iface.equals(uplink) || iface.startsWith("lxc")
          || iface.equals("cilium_host") || iface.equals("cilium_net");
      if (!needed) {
        return "rpFilter." + abbreviate(iface) + ": a repair only writes all, the uplink and Cilium's interfaces";
      }
      Integer now = current.get(iface);
      if (now == null) {
        return "rpFilter." + abbreviate(iface) + ": the probe cannot read its current value, so it cannot tell a "
            + "loosening from a tightening";
      }
      int wanted = value.asInt();
      if (wanted == now) {
        continue;
      }
      if (!(wanted == 0 || now == 1)) {
        return "rpFilter." + abbreviate(iface) + "=" + wanted + " would tighten it (now " + now + ")";
      }
      values.put(iface, wanted);
    }
    return null;
  }

  private static String abbreviate(Object value) {
    String text = String.valueOf(value);
    return text.length() > 64 ? text.substring(0, 64) + "..." : text;
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
      System.err.println(Terminal.safe("chainwatch-probe: " + problem));
    }
    lastProblem = problem;
  }
}
