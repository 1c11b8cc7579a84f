package io.chainwatch.watcher.scan;

import io.chainwatch.model.CiliumConfigSnapshot;
import io.chainwatch.model.Snapshot;
import io.chainwatch.watcher.view.ClusterState;
import io.chainwatch.watcher.view.ProjectionException;
import io.chainwatch.watcher.view.Projections;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads what {@code kubectl get ... -o json|yaml} prints (a List, a single object, several JSON values or a
 * multi-document YAML stream) into the cluster view, through the same projections the informers use.
 *
 * <p>JSON is streamed item by item, so a dump of a large cluster is never held in memory whole. Any malformed,
 * truncated or non-UTF-8 input is an error: a scan never silently works on part of a dump.
 */
public final class DumpReader {
  private static final JsonMapper JSON = JsonMapper.builder()
      .disable(tools.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private final ClusterState state;
  private int objectsRead;
  private int objectsUsed;
  private final List<String> conflicts = new ArrayList<>();

  public DumpReader(ClusterState state) {
    this.state = state;
  }

  public int objectsRead() {
    return objectsRead;
  }

  public int objectsUsed() {
    return objectsUsed;
  }

  /**
   * Reads one input.
   *
   * @param name how to name the input in errors (the file name, or {@code <stdin>})
   * @param input its bytes
   */
  public void read(String name, InputStream input) throws IOException {
    InputStream buffered = input.markSupported() ? input : new java.io.BufferedInputStream(input, 1 << 16);
    int first = firstNonBlank(buffered);
    if (first < 0) {
      throw new ScanInputException(name + ": the input is empty");
    }
    if (first == '{' || first == '[') {
      readJson(name, buffered);
    } else {
      readYaml(name, buffered);
    }
  }

  private static int firstNonBlank(InputStream in) throws IOException {
    in.mark(1 << 16);
    int c;
    int count = 0;
    do {
      c = in.read();
      count++;
    } while (c >= 0 && Character.isWhitespace(c) && count < (1 << 16) - 1);
    in.reset();
    return c;
  }

  private static Reader strictUtf8(InputStream in) {
    return new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
  }

  private void readJson(String name, InputStream in) {
    int document = 0;
    try (JsonParser parser = JSON.createParser(strictUtf8(in))) {
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        document++;
        String where = name + (document > 1 ? " (JSON value " + document + ")" : "");
        if (token == JsonToken.START_ARRAY) {
          int index = 0;
          while (parser.nextToken() != JsonToken.END_ARRAY) {
            accept(where + " [" + index++ + "]", readObject(parser, where));
          }
        } else if (token == JsonToken.START_OBJECT) {
          readTopLevelObject(where, parser);
        } else {
          throw new ScanInputException(where + ": expected a JSON object or array, got " + token);
        }
      }
    } catch (JacksonException e) {
      // limits (nesting depth, number length) come without a location
      String at = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr();
      for (Throwable cause = e; cause != null; cause = cause.getCause()) {
        if (cause instanceof java.nio.charset.CharacterCodingException) {
          throw new ScanInputException(name + ": not valid UTF-8 text" + (at.isEmpty() ? "" : " (near" + at + ")"));
        }
      }
      if (e instanceof tools.jackson.core.exc.StreamConstraintsException) {
        throw new ScanInputException(name + ": refused" + at + ": " + e.getOriginalMessage());
      }
      throw new ScanInputException(name + ": malformed or truncated JSON" + at + ": " + e.getOriginalMessage());
    } catch (java.io.UncheckedIOException e) {
      throw new ScanInputException(name + ": " + describeIo(e.getCause()));
    }
  }

  /** Reads one object; a List's items are handled one by one as they stream past. */
  private void readTopLevelObject(String where, JsonParser parser) {
    Map<String, Object> fields = new LinkedHashMap<>();
    int items = -1;
    while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      if ("items".equals(field) && value == JsonToken.START_ARRAY) {
        items = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          acceptItem(where, items++, readObject(parser, where));
        }
      } else {
        fields.put(field, JSON.readValue(parser, Object.class));
      }
    }
    if (items >= 0) {
      Object kind = fields.get("kind");
      if (!(kind instanceof String k) || !k.endsWith("List")) {
        throw new ScanInputException(where + ": has items but its kind is " + kind
            + ", not a List: is the file truncated?");
      }
    } else {
      accept(where, fields);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> readObject(JsonParser parser, String where) {
    if (parser.currentToken() != JsonToken.START_OBJECT) {
      throw new ScanInputException(where + ": expected an object in items, got " + parser.currentToken());
    }
    return JSON.readValue(parser, Map.class);
  }

  private void readYaml(String name, InputStream in) throws IOException {
    byte[] bytes = in.readAllBytes();
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new ScanInputException(name + ": not valid UTF-8 text");
    }
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(Integer.MAX_VALUE);
    options.setAllowDuplicateKeys(false);
    Yaml yaml = new Yaml(new SafeConstructor(options));
    int document = 0;
    try {
      for (Object doc : yaml.loadAll(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)))) {
        document++;
        String where = name + " (YAML document " + document + ")";
        if (doc == null) {
          continue; // an empty document between two '---'
        }
        if (!(doc instanceof Map<?, ?> map)) {
          throw new ScanInputException(where + ": expected a mapping, got " + doc.getClass().getSimpleName());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) map;
        // aliases share objects, so a few hundred bytes can stand for millions of nodes once walked: bound the
        // walk by the input's size, not by the number of aliases
        long budget = 64L * bytes.length + 100_000;
        if (expandedSize(object, budget) > budget) {
          throw new ScanInputException(where + ": its aliases expand to more than " + budget + " nodes (64 per "
              + "input byte): refused as a YAML bomb");
        }
        Object items = object.get("items");
        if (items instanceof List<?> list) {
          Object kind = object.get("kind");
          if (!(kind instanceof String k) || !k.endsWith("List")) {
            throw new ScanInputException(where + ": has items but its kind is " + kind
                + ", not a List: is the file truncated?");
          }
          for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> item)) {
              throw new ScanInputException(where + " item " + i + ": expected a mapping");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> typed = (Map<String, Object>) item;
            acceptItem(where, i, typed);
          }
        } else {
          accept(where, object);
        }
      }
    } catch (YAMLException e) {
      throw new ScanInputException(name + ": malformed YAML: " + e.getMessage().replace('\n', ' '));
    }
  }

  /** Nodes of {@code value} counted as a reader walking it would meet them (shared ones again), up to {@code cap}. */
  private static long expandedSize(Object value, long cap) {
    long count = 0;
    java.util.ArrayDeque<Object> pending = new java.util.ArrayDeque<>();
    pending.push(value);
    while (!pending.isEmpty() && count <= cap) {
      Object next = pending.pop();
      count++;
      if (next instanceof Map<?, ?> map) {
        for (Map.Entry<?, ?> entry : map.entrySet()) {
          pending.push(entry.getKey());
          if (entry.getValue() != null) {
            pending.push(entry.getValue());
          }
        }
      } else if (next instanceof List<?> list) {
        for (Object item : list) {
          if (item != null) {
            pending.push(item);
          }
        }
      }
    }
    return count;
  }

  private void acceptItem(String where, int index, Map<String, Object> item) {
    accept(where + " item " + index, item);
  }

  private void accept(String where, Map<String, Object> object) {
    objectsRead++;
    Object apiVersion = object.get("apiVersion");
    Object kind = object.get("kind");
    if (!(kind instanceof String) || !(apiVersion instanceof String)) {
      throw new ScanInputException(where + ": not a Kubernetes object (apiVersion and kind must be strings, got "
          + apiVersion + " and " + kind + ")");
    }
    Class<? extends Snapshot> type = Projections.snapshotTypeOf((String) apiVersion, (String) kind);
    if (type == null) {
      return; // kinds chainwatch does not read are skipped silently
    }
    GenericKubernetesResource resource;
    try {
      resource = SERIALIZATION.convertValue(object, GenericKubernetesResource.class);
    } catch (RuntimeException e) {
      throw new ScanInputException(where + ": " + kind + " " + nameOf(object) + " does not fit the Kubernetes "
          + "object schema: " + e.getMessage());
    }
    if (type == CiliumConfigSnapshot.class) {
      String namespace = resource.getMetadata() == null ? null : resource.getMetadata().getNamespace();
      String configName = resource.getMetadata() == null ? null : resource.getMetadata().getName();
      if (!state.agentIdentity().isCiliumConfig(namespace, configName)) {
        return; // only cilium-config matters among ConfigMaps
      }
    }
    Snapshot snapshot;
    try {
      snapshot = Projections.project(resource);
    } catch (ProjectionException e) {
      throw new ScanInputException(where + ": " + e.getMessage());
    }
    var previous = state.put(ClusterState.keyOf(snapshot), "", snapshot);
    if (previous != null && !previous.snapshot().equals(snapshot)) {
      conflicts.add(where + ": " + snapshot.ref().key() + " was read before with other content; the later one is "
          + "used (dumps taken at different times?)");
    }
    objectsUsed++;
  }

  /** Objects read twice with different content: which one counts is a guess the person should know about. */
  public List<String> conflicts() {
    return List.copyOf(conflicts);
  }

  private static String nameOf(Map<String, Object> object) {
    if (object.get("metadata") instanceof Map<?, ?> meta) {
      Object ns = meta.get("namespace");
      return (ns == null ? "" : ns + "/") + meta.get("name");
    }
    return "(no metadata)";
  }

  private static String describeIo(Throwable e) {
    if (e instanceof java.nio.charset.CharacterCodingException) {
      return "not valid UTF-8 text";
    }
    return String.valueOf(e);
  }
}
