package io.chainwatch.probe;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Asks cilium-agent which endpoints it manages on this node ({@code GET /v1/endpoint} on its API socket, the call
 * behind {@code cilium-dbg endpoint list}) and reports them compactly for the node report's {@code endpoints}: counts
 * by state, the endpoints that are not {@code ready} (with since when), and the pods the agent manages.
 *
 * <p>An agent's answer runs to tens of kilobytes per endpoint (policy, controllers, labels), megabytes on a busy node,
 * so it is parsed as it streams in and only the fields named in Cilium's OpenAPI model ({@code Endpoint.id},
 * {@code status.state}, {@code status.external-identifiers}, {@code status.log}, {@code status.identity.labels}) are
 * kept: memory stays bounded by the compact result, whatever the answer's size. The model is the same from Cilium 1.14
 * to 1.20; {@code k8s-namespace}/{@code k8s-pod-name} are read, and the older {@code pod-name} ({@code ns/name}) when
 * they are absent.
 */
public final class AgentEndpointsClient {
  /** The whole answer is streamed, never held; this bounds only how long a hostile agent can keep the probe busy. */
  static final long MAX_RESPONSE_BYTES = 256L * 1024 * 1024;
  /** Endpoints beyond this are counted, not kept (a node runs at most a few hundred pods). */
  static final int MAX_ENDPOINTS = 4096;
  /** Not-ready endpoints listed in the report; more are counted in {@code notReadyOmitted}. */
  static final int MAX_LISTED_NOT_READY = 32;
  /** Characters of pod names listed in the report; the annotation budget is 256 KiB for all of a node's. */
  static final int MAX_POD_CHARS = 48 * 1024;
  private static final int MAX_LOG_ENTRIES = 256;
  static final int STALE_AFTER_REFUSALS = CiliumHealthClient.STALE_AFTER_REFUSALS;

  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(1024 * 1024).maxNestingDepth(64).build())
      .build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final Path socket;
  private final Duration timeout;
  /** Since when the probe has seen each endpoint (by id) in its current state: the agent's log may not say. */
  private final Map<Long, Seen> seen = new HashMap<>();
  private volatile int refusedInARow;

  private record Seen(String state, Instant since) {}

  public AgentEndpointsClient(Path socket, Duration timeout) {
    this.socket = socket;
    this.timeout = timeout;
  }

  /** The report's {@code endpoints} section: the compact list, or {@code {"error": ...}} naming what failed. */
  public ObjectNode read(Instant now) {
    if (!Files.exists(socket)) {
      return error("cilium-agent API socket " + socket + " does not exist (is cilium-agent running here, and is its "
          + "API socket mounted into the probe?)");
    }
    EndpointListParser parser = new EndpointListParser();
    try {
      UnixSocketHttp.get(socket, "/v1/endpoint", timeout, MAX_RESPONSE_BYTES, parser);
      parser.finish();
      refusedInARow = 0;
    } catch (java.net.ConnectException e) {
      refusedInARow++;
      return error("cilium-agent API at " + socket + " refused the connection (" + refusedInARow + " rounds in a "
          + "row): cilium-agent is down, or it restarted and created its socket anew"
          + (looksStale() ? "; the probe restarts to mount the current socket" : ""));
    } catch (IOException e) {
      refusedInARow = 0;
      return error("cilium-agent API at " + socket + " (GET /v1/endpoint): " + e.getMessage());
    }
    return compact(parser, now);
  }

  /** Whether the mounted socket looks stale (see {@link CiliumHealthClient#looksStale}). */
  public boolean looksStale() {
    return refusedInARow >= STALE_AFTER_REFUSALS;
  }

  private static ObjectNode error(String why) {
    ObjectNode section = NODES.objectNode();
    section.put("error", why);
    return section;
  }

  /** One endpoint as read, before compaction. */
  static final class Endpoint {
    long id = -1;
    String state;
    String namespace;
    String podName;
    String legacyPodName;
    String reserved;
    final List<LogEntry> log = new ArrayList<>();

    String pod() {
      if (namespace != null && !namespace.isEmpty() && podName != null && !podName.isEmpty()) {
        return namespace + "/" + podName;
      }
      if (legacyPodName != null && legacyPodName.indexOf('/') > 0 && legacyPodName.indexOf('/') < legacyPodName.length() - 1) {
        return legacyPodName;
      }
      return null;
    }

    /**
     * Since when the agent's log says the endpoint has been in its current state: the first entry of the last run of
     * entries in that state, by timestamp; {@code null} when the log does not say.
     */
    Instant agentSince() {
      List<LogEntry> sorted = new ArrayList<>(log);
      sorted.removeIf(entry -> entry.at == null || entry.state == null);
      sorted.sort(Comparator.comparing((LogEntry entry) -> entry.at));
      Instant since = null;
      for (int i = sorted.size() - 1; i >= 0 && sorted.get(i).state.equals(state); i--) {
        since = sorted.get(i).at;
      }
      return since;
    }
  }

  record LogEntry(Instant at, String state) {}

  private ObjectNode compact(EndpointListParser parsed, Instant now) {
    List<Endpoint> endpoints = parsed.endpoints;
    int total = parsed.total;
    Map<String, Integer> byState = new TreeMap<>(parsed.statesBeyondKept);
    List<ObjectNode> notReady = new ArrayList<>();
    Set<String> pods = new TreeSet<>();
    Set<Long> present = new HashSet<>();
    for (Endpoint endpoint : endpoints) {
      String state = endpoint.state == null ? "unknown" : endpoint.state;
      byState.merge(state, 1, Integer::sum);
      String pod = endpoint.pod();
      if (pod != null) {
        pods.add(pod);
      }
      present.add(endpoint.id);
      Seen before = seen.get(endpoint.id);
      if (before == null || !before.state.equals(state)) {
        before = new Seen(state, now);
        seen.put(endpoint.id, before);
      }
      if (!"ready".equals(state)) {
        ObjectNode entry = NODES.objectNode();
        entry.put("id", endpoint.id);
        if (pod != null) {
          entry.put("pod", pod);
        } else if (endpoint.reserved != null) {
          entry.put("reserved", endpoint.reserved);
        }
        entry.put("state", state);
        Instant agentSince = endpoint.agentSince();
        boolean fromAgent = agentSince != null && !agentSince.isAfter(before.since);
        entry.put("since", (fromAgent ? agentSince : before.since).toString());
        entry.put("sinceFrom", fromAgent ? "agent" : "probe");
        notReady.add(entry);
      }
    }
    seen.keySet().retainAll(present);
    // the longest stuck first, then by id: a stable order, so an unchanged list is an unchanged report
    notReady.sort(Comparator.comparing((ObjectNode entry) -> entry.get("since").asText())
        .thenComparingLong(entry -> entry.get("id").asLong()));
    ObjectNode section = NODES.objectNode();
    section.put("total", total);
    ObjectNode states = section.putObject("byState");
    byState.forEach(states::put);
    ArrayNode listed = section.putArray("notReady");
    notReady.stream().limit(MAX_LISTED_NOT_READY).forEach(listed::add);
    int notReadyBeyondKept = parsed.statesBeyondKept.entrySet().stream()
        .filter(entry -> !entry.getKey().equals("ready")).mapToInt(Map.Entry::getValue).sum();
    int notReadyOmitted = Math.max(0, notReady.size() - MAX_LISTED_NOT_READY) + notReadyBeyondKept;
    if (notReadyOmitted > 0) {
      section.put("notReadyOmitted", notReadyOmitted);
    }
    ArrayNode podList = section.putArray("pods");
    int chars = 0;
    int omitted = total - endpoints.size(); // endpoints past MAX_ENDPOINTS: their pods are unknown
    for (String pod : pods) {
      if (chars + pod.length() + 3 > MAX_POD_CHARS) {
        omitted++;
        continue;
      }
      chars += pod.length() + 3;
      podList.add(pod);
    }
    if (omitted > 0) {
      section.put("podsOmitted", omitted);
    }
    return section;
  }

  /**
   * Pulls the fields chainwatch needs out of the endpoint list as bytes arrive, skipping everything else; what it keeps
   * is bounded by {@link #MAX_ENDPOINTS} and {@link #MAX_LOG_ENTRIES}.
   */
  static final class EndpointListParser implements UnixSocketHttp.BodyConsumer {
    /** Where a container sits, as far as the fields kept are concerned. */
    private enum Frame { LIST, ENDPOINT, STATUS, IDENTIFIERS, LOG, LOG_ENTRY, IDENTITY, IDENTITY_LABELS, OTHER }

    private final JsonParser parser;
    private final ByteArrayFeeder feeder;
    private final Deque<Frame> frames = new ArrayDeque<>();
    final List<Endpoint> endpoints = new ArrayList<>();
    /** States of the endpoints past {@link #MAX_ENDPOINTS}: counted, not kept. */
    final Map<String, Integer> statesBeyondKept = new TreeMap<>();
    int total;
    private boolean started;
    private boolean done;
    private Endpoint current;
    private String logTimestamp;
    private String logState;

    EndpointListParser() {
      try {
        parser = JSON.createNonBlockingByteArrayParser();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
    }

    @Override
    public void accept(byte[] data, int offset, int length) throws IOException {
      feeder.feedInput(data, offset, offset + length);
      drain();
    }

    void finish() throws IOException {
      feeder.endOfInput();
      drain();
      if (!done) {
        throw new IOException("the agent's endpoint list ended before it was complete");
      }
    }

    private void drain() throws IOException {
      JsonToken token;
      try {
        while ((token = parser.nextToken()) != JsonToken.NOT_AVAILABLE && token != null) {
          if (done) {
            throw new IOException("the agent's answer goes on after the endpoint list ended");
          }
          token(token);
        }
      } catch (com.fasterxml.jackson.core.JacksonException e) {
        String message = e.getOriginalMessage();
        int marker = message.indexOf(" (start marker");
        throw new IOException(message.contains("end-of-input")
            ? "the agent's endpoint list ended before it was complete"
            : "the agent's endpoint list is malformed JSON: "
                + UnixSocketHttp.abbreviate(marker < 0 ? message : message.substring(0, marker)));
      }
    }

    private void token(JsonToken token) throws IOException {
      if (!started) {
        started = true;
        if (token == JsonToken.VALUE_NULL) {
          done = true; // Go encodes an empty list as null
          return;
        }
        if (token != JsonToken.START_ARRAY) {
          throw new IOException("the agent's endpoint list is not a JSON array (starts with " + token + ")");
        }
        frames.push(Frame.LIST);
        return;
      }
      Frame frame = frames.peek();
      switch (token) {
        case START_OBJECT, START_ARRAY -> open(frame, token == JsonToken.START_ARRAY);
        case END_OBJECT, END_ARRAY -> close();
        case FIELD_NAME -> { }
        default -> scalar(frame);
      }
    }

    private void open(Frame parent, boolean array) throws IOException {
      String name = parser.currentName();
      Frame next = Frame.OTHER;
      if (parent == Frame.LIST) {
        if (array) {
          throw new IOException("the agent's endpoint list holds an array where an endpoint belongs");
        }
        next = Frame.ENDPOINT;
        total++;
        current = new Endpoint();
      } else if (parent == Frame.ENDPOINT && !array && "status".equals(name)) {
        next = Frame.STATUS;
      } else if (parent == Frame.STATUS && !array && "external-identifiers".equals(name)) {
        next = Frame.IDENTIFIERS;
      } else if (parent == Frame.STATUS && array && "log".equals(name)) {
        next = Frame.LOG;
      } else if (parent == Frame.LOG && !array) {
        next = Frame.LOG_ENTRY;
        logTimestamp = null;
        logState = null;
      } else if (parent == Frame.STATUS && !array && "identity".equals(name)) {
        next = Frame.IDENTITY;
      } else if (parent == Frame.IDENTITY && array && "labels".equals(name)) {
        next = Frame.IDENTITY_LABELS;
      }
      frames.push(next);
    }

    private void close() {
      Frame closed = frames.pop();
      if (closed == Frame.ENDPOINT && current != null) {
        if (endpoints.size() < MAX_ENDPOINTS) {
          endpoints.add(current);
        } else {
          statesBeyondKept.merge(current.state == null ? "unknown" : current.state, 1, Integer::sum);
        }
        current = null;
      } else if (closed == Frame.LOG_ENTRY && current != null && current.log.size() < MAX_LOG_ENTRIES) {
        current.log.add(new LogEntry(instant(logTimestamp), logState));
      } else if (closed == Frame.LIST) {
        done = true;
      }
    }

    private void scalar(Frame frame) throws IOException {
      if (current == null || frame == Frame.OTHER) {
        return;
      }
      String name = parser.currentName();
      switch (frame) {
        case ENDPOINT -> {
          if ("id".equals(name) && parser.currentToken() == JsonToken.VALUE_NUMBER_INT) {
            current.id = parser.getLongValue();
          }
        }
        case STATUS -> {
          if ("state".equals(name)) {
            current.state = text(40);
          }
        }
        case IDENTIFIERS -> {
          if ("k8s-namespace".equals(name)) {
            current.namespace = text(63);
          } else if ("k8s-pod-name".equals(name)) {
            current.podName = text(253);
          } else if ("pod-name".equals(name)) {
            current.legacyPodName = text(317);
          }
        }
        case LOG_ENTRY -> {
          if ("timestamp".equals(name)) {
            logTimestamp = text(64);
          } else if ("state".equals(name)) {
            logState = text(40);
          }
        }
        case IDENTITY_LABELS -> {
          String label = text(253);
          if (current.reserved == null && label != null && label.startsWith("reserved:")) {
            current.reserved = label.substring("reserved:".length());
          }
        }
        default -> { }
      }
    }

    /** A string value, cut to {@code max} characters; {@code null} for anything else. */
    private String text(int max) throws IOException {
      if (parser.currentToken() != JsonToken.VALUE_STRING) {
        return null;
      }
      String value = parser.getText();
      return value.length() > max ? value.substring(0, max) : value;
    }

    private static Instant instant(String text) {
      if (text == null) {
        return null;
      }
      try {
        return OffsetDateTime.parse(text).toInstant();
      } catch (DateTimeParseException e) {
        return null; // a log entry with a time the probe cannot read says nothing about since when
      }
    }
  }
}
