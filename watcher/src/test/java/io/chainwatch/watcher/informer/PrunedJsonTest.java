package io.chainwatch.watcher.informer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link PrunedJson} must read exactly what Jackson reads, pruned by the keep rules, or refuse: never read something
 * else, never read what Jackson refuses. The oracle is independent of it: Jackson's own untyped binding of the whole
 * document (the types {@link PruningSerialization#value} builds), pruned afterwards by the same rules.
 */
class PrunedJsonTest {
  private static final Object KEEP = PruningSerialization.keepRules();
  private static final JsonMapper JACKSON = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
  private static final Path RESOURCES = Path.of("src/test/resources");

  /** The random seed: 7, or PRUNED_JSON_SEED from the environment (surefire's argLine is fixed in the pom). */
  private static long seed() {
    String seed = System.getenv("PRUNED_JSON_SEED");
    return seed == null ? 7 : Long.parseLong(seed);
  }

  /** Why Jackson refused the last document it refused. */
  private static String lastRefusal;

  /** Jackson's reading of the whole document, or null when Jackson refuses it. */
  private static Object jackson(byte[] json) {
    try {
      return JACKSON.readValue(json, Object.class);
    } catch (JacksonException e) {
      lastRefusal = e.getOriginalMessage();
      return null;
    }
  }

  /** The keep rules applied to a value read whole. */
  @SuppressWarnings("unchecked")
  private static Object pruned(Object value, Object keep) {
    if (Boolean.TRUE.equals(keep)) {
      return value;
    }
    if (value instanceof List<?> list && keep instanceof Map) {
      List<Object> out = new ArrayList<>();
      list.forEach(element -> out.add(pruned(element, keep)));
      return out;
    }
    if (!(value instanceof Map<?, ?> map)) {
      return value;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    ((Map<String, Object>) map).forEach((field, fieldValue) -> {
      Object rule = PruningSerialization.ruleFor(keep, field);
      if (rule != null) {
        out.put(field, pruned(fieldValue, rule));
      }
    });
    return out;
  }

  /** Compares one document; returns whether PrunedJson read it. */
  private static boolean agrees(byte[] json) {
    Map<String, Object> read = PrunedJson.object(json, 0, json.length, KEEP);
    Object whole = jackson(json);
    if (read == null) {
      return false;
    }
    assertThat(whole).as("PrunedJson read what Jackson refuses: %s", printable(json)).isInstanceOf(Map.class);
    // equals tells Integer from Long and BigInteger, and Double from all three
    Object expected = pruned(whole, KEEP);
    assertThat(read).as(() -> "PrunedJson read differently (" + firstDifference("", read, expected) + "): "
        + printable(json)).isEqualTo(expected);
    return true;
  }

  /** Where two values first differ, for the failure message. */
  private static String firstDifference(String path, Object read, Object expected) {
    if (read instanceof Map<?, ?> a && expected instanceof Map<?, ?> b) {
      for (Object key : b.keySet()) {
        if (!a.containsKey(key)) {
          return path + "/" + key + " missing";
        }
        String difference = firstDifference(path + "/" + key, a.get(key), b.get(key));
        if (difference != null) {
          return difference;
        }
      }
      return a.size() == b.size() ? null : path + ": extra keys " + a.keySet();
    }
    if (read instanceof List<?> a && expected instanceof List<?> b && a.size() == b.size()) {
      for (int i = 0; i < a.size(); i++) {
        String difference = firstDifference(path + "[" + i + "]", a.get(i), b.get(i));
        if (difference != null) {
          return difference;
        }
      }
      return null;
    }
    return java.util.Objects.equals(read, expected) ? null : path + ": read " + describe(read) + ", Jackson "
        + describe(expected);
  }

  private static String describe(Object value) {
    return value == null ? "null" : value.getClass().getSimpleName() + " " + value;
  }

  private static String printable(byte[] json) {
    String text = new String(json, StandardCharsets.UTF_8);
    return text.length() > 400 ? text.substring(0, 400) + "…" : text;
  }

  /** Every JSON fixture, and every YAML fixture's documents written as JSON by Jackson. */
  private static List<byte[]> fixtureDocuments() throws Exception {
    List<byte[]> documents = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(RESOURCES)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    Yaml yaml = new Yaml(new LoaderOptions());
    for (Path file : files) {
      String name = file.toString();
      if (name.endsWith(".json")) {
        documents.add(Files.readAllBytes(file));
      } else if (name.endsWith(".yaml")) {
        try {
          for (Object document : yaml.loadAll(Files.readString(file))) {
            if (document instanceof Map<?, ?>) {
              documents.add(JACKSON.writeValueAsBytes(document));
            }
          }
        } catch (RuntimeException e) {
          // a fixture that is deliberately broken YAML: not a JSON document to compare
        }
      }
    }
    for (String workload : List.of("pod.json", "ciliumendpoint.json")) {
      Path file = Path.of("../bench/src/main/resources/workload", workload);
      if (Files.exists(file)) {
        documents.add(Files.readAllBytes(file));
      }
    }
    return documents;
  }

  /**
   * A skipped string with something that is not plain ASCII (an escape, UTF-8, a raw control character) at each
   * position of strings up to 40 bytes long, as a value and as a name, near the input's end too: read as Jackson
   * reads it, or refused.
   */
  @Test
  void skippedStringsAreReadWhereverTheirEscapesAndNonAsciiBytesFall() {
    String[] specials = {"\\\"", "\\\\", "\\n", "\\u00e9", "é", "€", "\n", "\u0001", "\u007f"};
    for (int length = 0; length <= 40; length++) {
      for (int at = 0; at <= length; at++) {
        for (String special : specials) {
          String text = "x".repeat(at) + special + "y".repeat(length - at);
          for (String json : List.of("{\"kind\":\"Pod\",\"x\":\"" + text + "\"}", "{\"x\":\"" + text + "\"}",
              "{\"" + text + "\":1,\"kind\":\"Pod\"}")) {
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            Object whole = jackson(bytes);
            Map<String, Object> read = PrunedJson.object(bytes, 0, bytes.length, KEEP);
            if (whole instanceof Map<?, ?> map) {
              assertThat(read).as(json).isEqualTo(pruned(map, KEEP));
            } else {
              assertThat(read).as(json).isNull();
            }
          }
        }
      }
    }
  }

  @Test
  void readsEveryFixtureAsJacksonReadsIt() throws Exception {
    List<byte[]> documents = fixtureDocuments();
    int objects = 0;
    int read = 0;
    for (byte[] document : documents) {
      if (jackson(document) instanceof Map<?, ?>) {
        objects++;
        if (agrees(document)) {
          read++;
        }
        // and each item of a List, as the informers meet them
        if (jackson(document) instanceof Map<?, ?> list && list.get("items") instanceof List<?> items) {
          for (Object item : items) {
            byte[] itemJson = JACKSON.writeValueAsBytes(item);
            objects++;
            if (agrees(itemJson)) {
              read++;
            }
          }
        }
      }
    }
    assertThat(objects).isGreaterThan(100);
    // the fixtures are plain JSON: none may be left to Jackson
    assertThat(read).as("objects read of " + objects).isEqualTo(objects);
  }

  @Test
  void readsAListPageAsTheJacksonPathDoes() throws Exception {
    byte[] page = Files.readAllBytes(RESOURCES.resolve("dumps/race-cluster.json"));
    @SuppressWarnings("unchecked")
    Map<String, Object> whole = (Map<String, Object>) jackson(page);

    PrunedJson.Page read = PrunedJson.list(page, 0, page.length, KEEP);

    assertThat(read).isNotNull();
    assertThat(read.apiVersion()).isEqualTo(whole.get("apiVersion"));
    assertThat(read.kind()).isEqualTo(whole.get("kind"));
    assertThat(read.metadata()).isEqualTo(whole.get("metadata"));
    List<Object> expected = new ArrayList<>();
    ((List<?>) whole.get("items")).forEach(item -> expected.add(pruned(item, KEEP)));
    assertThat(read.items()).isEqualTo(expected).hasSizeGreaterThan(3);

    // read in place from the middle of a larger array, as fabric8's buffer may hold it
    byte[] padded = new byte[page.length + 20];
    System.arraycopy(page, 0, padded, 7, page.length);
    padded[7 + page.length] = '}'; // past the end given: never read
    assertThat(PrunedJson.list(padded, 7, 7 + page.length, KEEP).items()).isEqualTo(expected);
  }

  @Test
  void refusesListsTheJacksonPathWouldReadDifferently() {
    for (String refused : List.of(
        "{\"items\":[{\"kind\":\"Pod\"}, null]}", // an item that is not an object
        "{\"items\":[{\"kind\":\"Pod\"}],\"items\":[{\"kind\":\"Pod\"}]}", // two item arrays
        "{\"items\":[{\"kind\":\"Pod\"}]} {}", // a second value
        "\uFEFF{\"items\":[]}", // a byte order mark: Jackson's to judge
        "{\"items\":[{\"kind\":\"Pod\"},]}")) { // a trailing comma
      byte[] bytes = refused.getBytes(StandardCharsets.UTF_8);
      assertThat(PrunedJson.list(bytes, 0, bytes.length, KEEP)).as(refused).isNull();
    }
    byte[] items = "{\"kind\":\"PodList\",\"items\":{\"a\":1},\"metadata\":[1]}".getBytes(StandardCharsets.UTF_8);
    PrunedJson.Page odd = PrunedJson.list(items, 0, items.length, KEEP);
    assertThat(odd.items()).isEmpty(); // items not an array: skipped, as the Jackson path skips it
    assertThat(odd.metadata()).isNull(); // metadata not an object: skipped
    assertThat(odd.kind()).isEqualTo("PodList");
  }

  @Test
  void readsWatchEvents() {
    byte[] event = ("{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\","
        + "\"managedFields\":[{\"f:x\":{}}]},\"spec\":{\"nodeName\":\"n\",\"containers\":[]}},\"extra\":[1,{}]}")
        .getBytes(StandardCharsets.UTF_8);
    PrunedJson.Event read = PrunedJson.event(event, 0, event.length, KEEP);
    assertThat(read.type()).isEqualTo("MODIFIED");
    assertThat(read.object()).isEqualTo(Map.of("kind", "Pod", "metadata", Map.of("name", "a"),
        "spec", Map.of("nodeName", "n")));

    byte[] status = "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":410}}".getBytes(StandardCharsets.UTF_8);
    assertThat(PrunedJson.event(status, 0, status.length, KEEP).type()).isEqualTo("ERROR");
    byte[] numberType = "{\"type\":1,\"object\":[]}".getBytes(StandardCharsets.UTF_8);
    PrunedJson.Event odd = PrunedJson.event(numberType, 0, numberType.length, KEEP);
    assertThat(odd.type()).isNull();
    assertThat(odd.object()).isNull();
    byte[] cut = "{\"type\":\"ADDED\",\"object\":{\"kind\":\"Pod\"".getBytes(StandardCharsets.UTF_8);
    assertThat(PrunedJson.event(cut, 0, cut.length, KEEP)).isNull();
  }

  @Test
  void readsScalarsAsJacksonTypesThem() {
    String json = "{\"kind\":\"K\",\"metadata\":{\"labels\":{\"a\":\"\\u00e9\\ud83d\\ude00\\\"\\\\\\/\\b\\f\\n\\r\\t\","
        + "\"b\":\"é😀\"}},\"spec\":{\"nodeName\":[0,-0,1,-1,2147483647,-2147483648,2147483648,"
        + "-2147483649,9223372036854775807,-9223372036854775808,9223372036854775808,-9223372036854775809,"
        + "123456789012345678901234567890,0.5,-0.0,1e3,1E-3,2.5e+2,true,false,null,{},[]]}}";
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    // nodeName is kept whole whatever its shape: the projection judges it
    assertThat(agrees(bytes)).isTrue();
    @SuppressWarnings("unchecked")
    List<Object> values = (List<Object>) ((Map<String, Object>) PrunedJson.object(bytes, 0, bytes.length, KEEP)
        .get("spec")).get("nodeName");
    assertThat(values).containsExactly(0, 0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 2147483648L, -2147483649L,
        Long.MAX_VALUE, Long.MIN_VALUE, new BigInteger("9223372036854775808"), new BigInteger("-9223372036854775809"),
        new BigInteger("123456789012345678901234567890"), 0.5, -0.0, 1000.0, 0.001, 250.0, true, false, null,
        Map.of(), List.of());
  }

  @Test
  void refusesWhatJacksonRefuses() {
    for (String broken : List.of("{\"kind\":01}", "{\"kind\":1.}", "{\"kind\":.5}", "{\"kind\":+1}", "{\"kind\":-}",
        "{\"kind\":1e}", "{\"kind\":NaN}", "{\"kind\":tru}", "{\"kind\":truex}", "{\"kind\":\"a\nb\"}",
        "{\"kind\":\"\\x\"}", "{\"kind\":\"\\u12g4\"}", "{\"kind\":'a'}", "{kind:1}", "{\"kind\":1,}", "{\"kind\" 1}",
        "{\"kind\":1 /* c */}", "{\"kind\":[1 2]}", "{\"kind\":\"a\"", "[1]", "", "{\"kind\":1}x",
        "{\"a\":{\"b\":[1,{\"c\":\"unterminated}]}}")) {
      byte[] bytes = broken.getBytes(StandardCharsets.UTF_8);
      assertThat(jackson(bytes) instanceof Map).as("Jackson reads %s", broken).isFalse();
      assertThat(PrunedJson.object(bytes, 0, bytes.length, KEEP)).as(broken).isNull();
    }
    // not UTF-8, in a kept and in a skipped string; and an encoded surrogate, which Jackson reads but RFC 3629 forbids
    for (byte[] bytes : List.of(bytes("{\"kind\":\"", 0xC3, 0x28, "\"}"), bytes("{\"x\":\"", 0xFF, "\"}"),
        bytes("{\"x\":\"", 0xE2, 0x82, "\"}"), bytes("{\"kind\":\"", 0xC0, 0xAF, "\"}"),
        bytes("{\"kind\":\"", 0xED, 0xA0, 0x80, "\"}"))) {
      assertThat(PrunedJson.object(bytes, 0, bytes.length, KEEP)).as(printable(bytes)).isNull();
    }
    // a lone escaped surrogate, in a name (Jackson refuses it) or a value (Jackson keeps it): Jackson decides
    for (String lone : List.of("{\"\\udd21\":1}", "{\"kind\":\"\\ud800\"}", "{\"kind\":\"\\ud800x\"}",
        "{\"kind\":\"\\ud800\\u0041\"}", "{\"kind\":\"\\udc00\\ud800\"}")) {
      byte[] bytes = lone.getBytes(StandardCharsets.UTF_8);
      assertThat(PrunedJson.object(bytes, 0, bytes.length, KEEP)).as(lone).isNull();
    }
    // a kept string longer than its limit: left to Jackson; the same string skipped is read
    String huge = "x".repeat(PrunedJson.MAX_STRING_LENGTH + 1);
    byte[] kept = ("{\"kind\":\"" + huge + "\"}").getBytes(StandardCharsets.UTF_8);
    assertThat(PrunedJson.object(kept, 0, kept.length, KEEP)).isNull();
    byte[] keptEscaped = ("{\"kind\":\"\\n" + huge + "\"}").getBytes(StandardCharsets.UTF_8);
    assertThat(PrunedJson.object(keptEscaped, 0, keptEscaped.length, KEEP)).isNull();
    byte[] skipped = ("{\"kind\":\"Pod\",\"x\":\"" + huge + "\"}").getBytes(StandardCharsets.UTF_8);
    assertThat(PrunedJson.object(skipped, 0, skipped.length, KEEP)).isEqualTo(Map.of("kind", "Pod"));
    // deeper than its limit: left to Jackson
    String deep = "{\"kind\":" + "[".repeat(PrunedJson.MAX_DEPTH + 1) + "]".repeat(PrunedJson.MAX_DEPTH + 1) + "}";
    byte[] deepBytes = deep.getBytes(StandardCharsets.UTF_8);
    assertThat(PrunedJson.object(deepBytes, 0, deepBytes.length, KEEP)).isNull();
  }

  private static byte[] bytes(Object... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object part : parts) {
      if (part instanceof String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
      } else {
        out.write((Integer) part);
      }
    }
    return out.toByteArray();
  }

  /** Names that the keep rules look at, at any depth, so that generated documents exercise them. */
  private static List<String> ruleNames() {
    Set<String> names = new LinkedHashSet<>();
    collectNames(KEEP, names);
    names.addAll(List.of("chainwatch.io/remediation", "kubectl.kubernetes.io/last-applied-configuration",
        "managedFields", "f:metadata", "k:{\"type\":\"Ready\"}", "é", "", "a\"b", "x\\y"));
    return new ArrayList<>(names);
  }

  private static void collectNames(Object keep, Set<String> names) {
    if (keep instanceof Map<?, ?> rules) {
      rules.forEach((name, rule) -> {
        names.add((String) name);
        collectNames(rule, names);
      });
    }
  }

  /** Writes random JSON in every form RFC 8259 allows: escapes, raw UTF-8, any whitespace. */
  private static final class Writer {
    private final Random random;
    private final List<String> names;
    private final StringBuilder out = new StringBuilder();

    Writer(Random random, List<String> names) {
      this.random = random;
      this.names = names;
    }

    String object(int depth) {
      out.setLength(0);
      writeObject(depth, true);
      return out.toString();
    }

    private void space() {
      int n = random.nextInt(10) < 7 ? 0 : random.nextInt(3);
      for (int i = 0; i < n; i++) {
        out.append(" \n\r\t".charAt(random.nextInt(4)));
      }
    }

    private void writeObject(int depth, boolean top) {
      out.append('{');
      int fields = random.nextInt(top ? 7 : 5);
      if (top) {
        space();
        out.append("\"kind\":\"Pod\",");
      }
      for (int i = 0; i < fields; i++) {
        space();
        writeString(random.nextInt(4) == 0 ? randomText() : names.get(random.nextInt(names.size())));
        space();
        out.append(':');
        space();
        writeValue(depth - 1);
        space();
        if (i < fields - 1) {
          out.append(',');
        }
      }
      if (top) {
        if (fields > 0) {
          out.append(',');
        }
        out.append("\"metadata\":");
        writeObject(depth - 1, false);
      }
      out.append('}');
    }

    private void writeValue(int depth) {
      int kind = random.nextInt(depth <= 0 ? 6 : 9);
      switch (kind) {
        case 0 -> writeString(randomText());
        case 1 -> out.append(randomInteger());
        case 2 -> out.append(randomFloat());
        case 3 -> out.append(random.nextBoolean() ? "true" : "false");
        case 4 -> out.append("null");
        case 5 -> writeString(names.get(random.nextInt(names.size())));
        case 6, 7 -> writeObject(depth, false);
        default -> {
          out.append('[');
          int n = random.nextInt(4);
          for (int i = 0; i < n; i++) {
            space();
            writeValue(depth - 1);
            space();
            if (i < n - 1) {
              out.append(',');
            }
          }
          out.append(']');
        }
      }
    }

    private String randomInteger() {
      return switch (random.nextInt(6)) {
        case 0 -> Integer.toString(random.nextInt(100) - 50);
        case 1 -> Integer.toString(random.nextInt());
        case 2 -> Long.toString(random.nextLong());
        case 3 -> Long.toString(random.nextInt() + (random.nextBoolean() ? 1L : -1L) * Integer.MAX_VALUE);
        case 4 -> new BigInteger(64 + random.nextInt(60), random).multiply(BigInteger.valueOf(
            random.nextBoolean() ? 1 : -1)).toString();
        default -> random.nextBoolean() ? "0" : "-0";
      };
    }

    private String randomFloat() {
      return switch (random.nextInt(4)) {
        case 0 -> Double.toString(random.nextDouble() * 1000 - 500);
        case 1 -> random.nextInt(1000) + "e" + (random.nextInt(40) - 20);
        case 2 -> (random.nextInt(9) + 1) + "." + random.nextInt(1000) + "E+" + random.nextInt(300);
        default -> Double.toString(Double.longBitsToDouble(random.nextLong())).replace("Infinity", "1.5")
            .replace("NaN", "2.5");
      };
    }

    private String randomText() {
      StringBuilder text = new StringBuilder();
      int n = random.nextInt(12);
      for (int i = 0; i < n; i++) {
        int pick = random.nextInt(10);
        if (pick < 5) {
          text.append((char) (' ' + random.nextInt(95)));
        } else if (pick < 7) {
          text.append("\"\\/\b\f\n\r\t\u0001\u007f".charAt(random.nextInt(10)));
        } else if (pick < 8) {
          text.append((char) (0xA0 + random.nextInt(0x2000)));
        } else if (pick < 9) {
          text.appendCodePoint(0x10000 + random.nextInt(0x10000));
        } else {
          text.append('\\'); // lone surrogates: the edits insert them
        }
      }
      return text.toString();
    }

    private void writeString(String text) {
      out.append('"');
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        boolean mustEscape = c == '"' || c == '\\' || c < 0x20 || Character.isSurrogate(c)
            && !(Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1)));
        if (mustEscape || random.nextInt(8) == 0) {
          if (!Character.isSurrogate(c) && random.nextBoolean() && "\"\\/\b\f\n\r\t".indexOf(c) >= 0) {
            out.append('\\').append("\"\\/bfnrt".charAt("\"\\/\b\f\n\r\t".indexOf(c)));
          } else {
            String hex = String.format("%04x", (int) c);
            out.append("\\u").append(random.nextBoolean() ? hex : hex.toUpperCase(java.util.Locale.ROOT));
          }
        } else {
          out.append(c);
          if (Character.isHighSurrogate(c)) {
            out.append(text.charAt(++i));
          }
        }
      }
      out.append('"');
    }
  }

  @Test
  void readsGeneratedDocumentsAsJacksonReadsThem() {
    Random random = new Random(seed());
    Writer writer = new Writer(random, ruleNames());
    for (int i = 0; i < 3_000; i++) {
      byte[] json = writer.object(2 + random.nextInt(5)).getBytes(StandardCharsets.UTF_8);
      assertThat(jackson(json)).as(() -> lastRefusal + ": " + printable(json)).isInstanceOf(Map.class);
      // valid JSON within its limits: it must read every one
      assertThat(agrees(json)).as("refused valid JSON: %s", printable(json)).isTrue();
    }
  }

  @Test
  void randomEditsAreReadAsJacksonReadsThemOrRefused() {
    long seed = seed();
    Random random = new Random(seed);
    Writer writer = new Writer(random, ruleNames());
    String[] insertions = {"{", "}", "[", "]", ",", ":", "\"", "\\", "0", "-", ".", "e", "true", "nul", "\\u00",
        "\\ud800", " ", "\t", "\u0001", "é", "/", "01", "1e999"};
    int read = 0;
    int refusedByJackson = 0;
    for (int i = 0; i < 6_000; i++) {
      byte[] json = writer.object(2 + random.nextInt(4)).getBytes(StandardCharsets.UTF_8);
      byte[] edited = edit(json, random, insertions);
      Object whole = jackson(edited);
      if (!(whole instanceof Map)) {
        refusedByJackson++;
        assertThat(PrunedJson.object(edited, 0, edited.length, KEEP)).as("seed %d edit %d read what Jackson refuses: %s",
            seed, i, printable(edited)).isNull();
      } else if (agrees(edited)) {
        read++;
      }
    }
    // the edits must reach both sides, or the comparison proves little
    assertThat(refusedByJackson).isGreaterThan(1_000);
    assertThat(read).isGreaterThan(500);
  }

  private static byte[] edit(byte[] json, Random random, String[] insertions) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int at = random.nextInt(json.length + 1);
    switch (random.nextInt(5)) {
      case 0 -> { // delete a run
        int length = Math.min(json.length - at, 1 + random.nextInt(4));
        out.write(json, 0, at);
        out.write(json, at + length, json.length - at - length);
      }
      case 1 -> { // insert syntax
        out.write(json, 0, at);
        out.writeBytes(insertions[random.nextInt(insertions.length)].getBytes(StandardCharsets.UTF_8));
        out.write(json, at, json.length - at);
      }
      case 2 -> { // a raw byte, often not UTF-8
        out.write(json, 0, at);
        out.write(0x80 + random.nextInt(0x80));
        out.write(json, at, json.length - at);
      }
      case 3 -> { // a slice doubled
        int length = Math.min(json.length - at, 1 + random.nextInt(12));
        out.write(json, 0, at + length);
        out.write(json, at, json.length - at);
      }
      default -> out.write(json, 0, at); // cut
    }
    return out.toByteArray();
  }
}
