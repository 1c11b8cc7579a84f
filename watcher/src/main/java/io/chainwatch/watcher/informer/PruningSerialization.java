package io.chainwatch.watcher.informer;

import io.chainwatch.watcher.view.Projections;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListMeta;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Decodes the watch events and list pages of chainwatch's generic informers in one streaming pass that keeps only
 * the fields projections read ({@link #KEEP}) and skips everything else without materialising it.
 *
 * <p>fabric8's own path parses each event into a JSON tree, into a typed model object for core kinds, and converts that
 * into a generic resource: about 250 µs for an 8 KB pod on this project's 2-core machine, which bounded the whole
 * pipeline to roughly 3,000 events per second. A pod's managed fields, containers, volumes and statuses are never read
 * by a detector, so they are skipped here. Anything this path does not recognise (a Status in an ERROR event, a
 * malformed document, another target type) goes through fabric8's normal decoding unchanged.
 */
public final class PruningSerialization extends KubernetesSerialization {
  /**
   * Fields kept, by path; {@code true} keeps a whole subtree: the identity and metadata of every object, and what each
   * watched kind declares ({@link io.chainwatch.watcher.view.WatchedKind#keep}).
   */
  static final Map<String, Object> KEEP = keep();

  private static Map<String, Object> keep() {
    Map<String, Object> keep = new java.util.LinkedHashMap<>(io.chainwatch.watcher.view.WatchedKinds.keptFields());
    keep.put("apiVersion", true);
    keep.put("kind", true);
    keep.put("metadata", Map.of("name", true, "namespace", true, "uid", true, "resourceVersion", true,
        "creationTimestamp", true, "deletionTimestamp", true, "labels", true, "ownerReferences", true,
        "annotations", new AnnotationKeys("chainwatch.io/", Projections.NETWORKS_ANNOTATION)));
    return Map.copyOf(keep);
  }

  /** Keeps only chainwatch's annotations and one more key: other tools' annotations can be large. */
  record AnnotationKeys(String prefix, String key) {}

  /**
   * The informers' parser factory, in a holder so that {@code scan}, which uses only the static readers, never pays
   * for Jackson's data binding at start (about 0.13 s of a short command).
   */
  private static final class Mapper {
    // Sub-values are read mid-stream, so what follows them is not "trailing".
    static final JsonMapper JSON = JsonMapper.builder()
        .disable(tools.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        // a list's stream belongs to fabric8, which closes it; a page parsed here may still be handed back to it
        .disable(tools.jackson.core.StreamReadFeature.AUTO_CLOSE_SOURCE).build();
  }

  /** Watch events {@link #decodeFrame} read from frames, until fabric8 asks for them. */
  private final DecodedFrames frames = new DecodedFrames();

  /**
   * Decodes a watch frame's bytes (the position and limit of {@code frame}, which are left as they were) and returns
   * the token fabric8 passes on in its place, or {@code null} when the pruned reader does not take it (an ERROR Status,
   * anything unexpected): then fabric8 decodes the frame itself.
   */
  String decodeFrame(java.nio.ByteBuffer frame) {
    byte[] bytes;
    int from;
    int to;
    if (frame.hasArray()) {
      bytes = frame.array();
      from = frame.arrayOffset() + frame.position();
      to = frame.arrayOffset() + frame.limit();
    } else {
      bytes = new byte[frame.remaining()];
      frame.duplicate().get(bytes);
      from = 0;
      to = bytes.length;
    }
    WatchEvent event = prunedEvent(bytes, from, to);
    return event == null ? null : frames.handOver(event);
  }

  /** Frames {@link #decodeFrame} decoded so far (the rest went through fabric8's decoding). */
  public long framesDecoded() {
    return frames.handedOver();
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T unmarshal(String text, Class<T> type) {
    if (type == WatchEvent.class) {
      if (DecodedFrames.isToken(text)) {
        return (T) frames.take(text);
      }
      WatchEvent event = watchEvent(text);
      if (event != null) {
        return (T) event;
      }
    }
    return super.unmarshal(text, type);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T unmarshal(InputStream input, TypeReference<T> type) {
    if (type.getType() == GenericKubernetesResourceList.class) {
      try {
        // kept readable from its start, so fabric8's own decoding can take over when this one does not recognise the page
        InputStream source = input.markSupported() ? input : new java.io.ByteArrayInputStream(input.readAllBytes());
        source.mark(Integer.MAX_VALUE);
        GenericKubernetesResourceList list = fromBytes(source);
        if (list == null) {
          source.reset();
          list = list(Mapper.JSON.createParser(source));
        }
        if (list != null) {
          return (T) list;
        }
        source.reset();
        return super.unmarshal(source, type);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return super.unmarshal(input, type);
  }

  /**
   * The page read by {@link PrunedJson} from the bytes behind {@code source}, or null when it refuses them. fabric8
   * hands a page over as a {@link java.io.ByteArrayInputStream} of the response (a page of 500 pods is 4 MB), whose
   * {@code transferTo} writes its own array to the stream given: the page is read there, in place, without a copy.
   */
  private GenericKubernetesResourceList fromBytes(InputStream source) throws IOException {
    GenericKubernetesResourceList[] read = new GenericKubernetesResourceList[1];
    source.transferTo(new java.io.OutputStream() {
      private boolean written;

      @Override
      public void write(int b) {
        written = true; // not one array: left to Jackson
      }

      @Override
      public void write(byte[] bytes, int offset, int length) {
        if (!written) {
          read[0] = page(PrunedJson.list(bytes, offset, offset + length, KEEP));
        } else {
          read[0] = null; // written in pieces: not one page in place
        }
        written = true;
      }
    });
    return read[0];
  }

  private GenericKubernetesResourceList page(PrunedJson.Page page) {
    if (page == null) {
      return null;
    }
    GenericKubernetesResourceList list = new GenericKubernetesResourceList();
    list.setApiVersion(page.apiVersion());
    list.setKind(page.kind());
    if (page.metadata() != null) {
      list.setMetadata(super.convertValue(page.metadata(), ListMeta.class));
    }
    List<GenericKubernetesResource> items = new ArrayList<>(page.items().size());
    for (Map<String, Object> item : page.items()) {
      items.add(resourceOf(item));
    }
    list.setItems(items);
    return list;
  }

  /** The event, or {@code null} to let fabric8 decode it (an ERROR Status, or anything unexpected). */
  private WatchEvent watchEvent(String text) {
    // the frame was decoded from UTF-8, which never yields a lone surrogate: encoding the text again loses nothing
    byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    PrunedJson.Event read = PrunedJson.event(bytes, 0, bytes.length, KEEP);
    if (read != null) {
      return eventOf(read);
    }
    try (JsonParser parser = Mapper.JSON.createParser(text)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      String type = null;
      GenericKubernetesResource object = null;
      while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if ("type".equals(field) && value == JsonToken.VALUE_STRING) {
          type = parser.getString();
        } else if ("object".equals(field) && value == JsonToken.START_OBJECT) {
          object = resource(parser);
        } else {
          parser.skipChildren();
        }
      }
      if (type == null || object == null || "ERROR".equals(type) || "Status".equals(object.getKind())) {
        return null;
      }
      return new WatchEvent(object, type);
    } catch (JacksonException | IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * The event the pruned reader reads from {@code bytes[from, to)}, or {@code null} when it refuses them or they are
   * not an event fabric8 should get as is (an ERROR, a Status): fabric8's decoding then takes the frame.
   */
  private WatchEvent prunedEvent(byte[] bytes, int from, int to) {
    PrunedJson.Event read = PrunedJson.event(bytes, from, to, KEEP);
    return read == null ? null : eventOf(read);
  }

  private WatchEvent eventOf(PrunedJson.Event read) {
    if (read.type() == null || read.object() == null || "ERROR".equals(read.type())) {
      return null;
    }
    GenericKubernetesResource object = resourceOf(read.object());
    return "Status".equals(object.getKind()) ? null : new WatchEvent(object, read.type());
  }

  private GenericKubernetesResourceList list(JsonParser opened) {
    try (JsonParser parser = opened) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      GenericKubernetesResourceList list = new GenericKubernetesResourceList();
      List<GenericKubernetesResource> items = new ArrayList<>();
      while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if ("items".equals(field) && value == JsonToken.START_ARRAY) {
          while (parser.nextToken() == JsonToken.START_OBJECT) {
            items.add(resource(parser));
          }
          if (parser.currentToken() != JsonToken.END_ARRAY) {
            return null; // an item that is not an object: fabric8's decoding reports it
          }
        } else if ("metadata".equals(field) && value == JsonToken.START_OBJECT) {
          list.setMetadata(super.convertValue(value(parser), ListMeta.class));
        } else if ("apiVersion".equals(field) && value == JsonToken.VALUE_STRING) {
          list.setApiVersion(parser.getString());
        } else if ("kind".equals(field) && value == JsonToken.VALUE_STRING) {
          list.setKind(parser.getString());
        } else {
          parser.skipChildren();
        }
      }
      list.setItems(items);
      return list;
    } catch (JacksonException | IllegalArgumentException e) {
      return null;
    }
  }

  /** Reads the object the parser is at (START_OBJECT), keeping only {@link #KEEP}. */
  private GenericKubernetesResource resource(JsonParser parser) {
    return resourceOf(keptFields(parser));
  }

  /**
   * The fields of the object the parser is at (START_OBJECT) that projections read ({@link #KEEP}); everything else
   * is skipped without being materialised. {@code scan} reads dumps through this too.
   */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> keptFields(JsonParser parser) {
    return (Map<String, Object>) pruned(parser, KEEP);
  }

  /**
   * A resource from an object's fields, built by hand: fabric8's conversion (to a token buffer and back) costs more
   * than parsing the object. {@code apiVersion} and {@code kind} must be strings; fields of an unexpected type go
   * through fabric8's conversion, which rejects them as it always did. Consumes {@code kept}.
   */
  @SuppressWarnings("unchecked")
  public GenericKubernetesResource resourceOf(Map<String, Object> kept) {
    return resourceOf(kept, self);
  }

  /** This serialization as the fallback of {@link #resourceOf(Map, java.util.function.Supplier)}, made once. */
  private final java.util.function.Supplier<KubernetesSerialization> self = () -> this;

  /**
   * {@link #resourceOf(Map)} without an instance: {@code fallback} (fabric8's conversion, which builds a whole
   * object mapper) is asked for only when a field has an unexpected shape.
   */
  @SuppressWarnings("unchecked")
  public static GenericKubernetesResource resourceOf(Map<String, Object> kept,
      java.util.function.Supplier<KubernetesSerialization> fallback) {
    GenericKubernetesResource resource = new GenericKubernetesResource();
    resource.setApiVersion((String) kept.remove("apiVersion"));
    resource.setKind((String) kept.remove("kind"));
    Object metadata = kept.remove("metadata");
    if (metadata instanceof Map<?, ?> meta) {
      resource.setMetadata(objectMeta((Map<String, Object>) meta, fallback));
    } else if (metadata != null) {
      resource.setMetadata(fallback.get().convertValue(metadata, ObjectMeta.class)); // odd shape: let Jackson judge
    }
    kept.forEach(resource::setAdditionalProperty);
    return resource;
  }

  /**
   * Builds the metadata by hand: going through Jackson's bean binding costs more than the whole pruned parse. Values
   * of an unexpected type fall back to Jackson, which reports them as fabric8 would.
   */
  @SuppressWarnings("unchecked")
  private static ObjectMeta objectMeta(Map<String, Object> meta,
      java.util.function.Supplier<KubernetesSerialization> fallback) {
    try {
      ObjectMeta result = new ObjectMeta();
      result.setName((String) meta.get("name"));
      result.setNamespace((String) meta.get("namespace"));
      result.setUid((String) meta.get("uid"));
      result.setResourceVersion((String) meta.get("resourceVersion"));
      result.setCreationTimestamp((String) meta.get("creationTimestamp"));
      result.setDeletionTimestamp((String) meta.get("deletionTimestamp"));
      result.setLabels(stringMap(meta.get("labels")));
      result.setAnnotations(stringMap(meta.get("annotations")));
      Object owners = meta.get("ownerReferences");
      if (owners != null) {
        List<OwnerReference> references = new ArrayList<>();
        for (Object owner : (List<Object>) owners) {
          Map<String, Object> fields = (Map<String, Object>) owner;
          OwnerReference reference = new OwnerReference();
          reference.setApiVersion((String) fields.get("apiVersion"));
          reference.setKind((String) fields.get("kind"));
          reference.setName((String) fields.get("name"));
          reference.setUid((String) fields.get("uid"));
          reference.setController((Boolean) fields.get("controller"));
          reference.setBlockOwnerDeletion((Boolean) fields.get("blockOwnerDeletion"));
          references.add(reference);
        }
        result.setOwnerReferences(references);
      }
      return result;
    } catch (ClassCastException e) {
      return fallback.get().convertValue(meta, ObjectMeta.class);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> stringMap(Object value) {
    if (value == null) {
      return null;
    }
    for (Object entry : ((Map<String, Object>) value).values()) {
      if (entry != null && !(entry instanceof String)) {
        throw new ClassCastException("not a string map");
      }
    }
    return new LinkedHashMap<>((Map<String, String>) (Map<String, ?>) value);
  }

  /** The rule for a whole object: what {@link #keptFields} keeps ({@code scan}'s YAML reader applies it too). */
  public static Object keepRules() {
    return KEEP;
  }

  /**
   * The rule for {@code field} of an object kept by {@code keep}: {@code null} skips it, {@link Boolean#TRUE} keeps it
   * whole, anything else is the rule for its own fields (or for each element of a list of objects).
   */
  public static Object ruleFor(Object keep, String field) {
    if (keep instanceof AnnotationKeys annotations) {
      return field.startsWith(annotations.prefix()) || field.equals(annotations.key()) ? Boolean.TRUE : null;
    }
    return keep instanceof Map<?, ?> rules ? rules.get(field) : null;
  }

  @SuppressWarnings("unchecked")
  private static Object pruned(JsonParser parser, Object keep) {
    if (Boolean.TRUE.equals(keep)) {
      return value(parser);
    }
    if (parser.currentToken() == JsonToken.START_ARRAY && keep instanceof Map) {
      // a list of objects (containers): the rule applies to each element
      List<Object> elements = new ArrayList<>();
      while (parser.nextToken() != JsonToken.END_ARRAY) {
        elements.add(pruned(parser, keep));
      }
      return elements;
    }
    if (parser.currentToken() != JsonToken.START_OBJECT) {
      return value(parser); // not the shape expected: keep it, the projection will judge
    }
    Map<String, Object> out = new LinkedHashMap<>();
    while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
      String field = parser.currentName();
      parser.nextToken();
      Object rule = ruleFor(keep, field);
      if (rule == null) {
        parser.skipChildren();
      } else {
        out.put(field, pruned(parser, rule));
      }
    }
    return out;
  }

  /**
   * The value the parser is at, as Jackson's untyped binding builds it (objects as {@link LinkedHashMap}, arrays as
   * {@link ArrayList}, integers as the smallest of Integer, Long and BigInteger, other numbers as Double), written out
   * because the binding's machinery costs more than the values kept here; the parser's own limits (nesting depth,
   * lengths) still apply.
   */
  public static Object value(JsonParser parser) {
    JsonToken token = parser.currentToken();
    if (token == null) {
      throw new IllegalStateException("no current token");
    }
    switch (token) {
      case START_OBJECT: {
        Map<String, Object> object = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
          String field = parser.currentName();
          parser.nextToken();
          object.put(field, value(parser));
        }
        return object;
      }
      case START_ARRAY: {
        List<Object> array = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          array.add(value(parser));
        }
        return array;
      }
      case VALUE_STRING:
        return parser.getString();
      case VALUE_NUMBER_INT:
        return parser.getNumberValue();
      case VALUE_NUMBER_FLOAT:
        return parser.getDoubleValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      case VALUE_EMBEDDED_OBJECT:
        return parser.getEmbeddedObject();
      default:
        throw new IllegalStateException("a value cannot start with " + token);
    }
  }
}
