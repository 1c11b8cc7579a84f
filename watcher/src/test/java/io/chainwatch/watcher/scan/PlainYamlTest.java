package io.chainwatch.watcher.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainwatch.watcher.informer.PruningSerialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * {@link PlainYaml} must read exactly what SnakeYAML's reader ({@link DumpReader#snakeYamlItems}) reads, or refuse:
 * never a different value, never a value where SnakeYAML finds an error. Compared on every YAML fixture (official
 * Cilium chart renders, kube-proxy's kubeadm pod, the scan dumps; see their READMEs), on documents SnakeYAML's own
 * writer generates in several styles, and on thousands of random edits of both.
 */
class PlainYamlTest {
  private static final Path RESOURCES = Path.of("src/test/resources");

  /** What a reader made of a part: its items written out with every type and key order, or why it failed. */
  private static String snakeYaml(String text, Object keep) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    try {
      return canonical(DumpReader.snakeYamlItems(bytes, 0, bytes.length, keep, "t"));
    } catch (RuntimeException e) {
      return "error";
    }
  }

  /** {@code null} when PlainYaml refuses the text. */
  private static String plainYaml(String text, Object keep) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    try {
      return canonical(PlainYaml.items(bytes, 0, bytes.length, keep));
    } catch (PlainYaml.Refused refused) {
      return null;
    }
  }

  private static String canonical(Object value) {
    StringBuilder out = new StringBuilder();
    canonical(value, out);
    return out.toString();
  }

  private static void canonical(Object value, StringBuilder out) {
    if (value instanceof Map<?, ?> map) {
      out.append('{');
      map.forEach((key, item) -> {
        canonical(key, out);
        out.append(':');
        canonical(item, out);
        out.append(',');
      });
      out.append('}');
    } else if (value instanceof List<?> list) {
      out.append('[');
      list.forEach(item -> {
        canonical(item, out);
        out.append(',');
      });
      out.append(']');
    } else {
      out.append(value == null ? "null" : value.getClass().getSimpleName() + "<" + value + ">");
    }
  }

  /** Checks one text with both rules; returns whether PlainYaml read it. */
  private static boolean agrees(String text) {
    boolean read = false;
    for (Object keep : List.of(PruningSerialization.keepRules(), Boolean.TRUE)) {
      String plain = plainYaml(text, keep);
      if (plain != null) {
        assertThat(plain).as("PlainYaml read what SnakeYAML reads differently or refuses:\n%s", text)
            .isEqualTo(snakeYaml(text, keep));
        read = true;
      }
    }
    return read;
  }

  /** A YAML document as the one item of a List, the way kubectl indents items. */
  private static String asItem(String document) {
    StringBuilder item = new StringBuilder();
    List<String> lines = document.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      item.append(i == 0 ? "- " : lines.get(i).isEmpty() ? "" : "  ").append(lines.get(i)).append('\n');
    }
    return item.toString();
  }

  /** The documents of every YAML fixture, without helm's "# Source:" comment lines. */
  private static List<String> fixtureDocuments() throws Exception {
    List<String> documents = new ArrayList<>();
    try (Stream<Path> files = Files.walk(RESOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        for (String document : Files.readString(file).split("(?m)^---\\s*$")) {
          String body = document.lines().filter(line -> !line.startsWith("#")).reduce("", (a, b) -> a + b + "\n")
              .strip();
          if (!body.isEmpty() && !body.startsWith("-") && body.contains(":")) {
            documents.add(body);
          }
        }
      }
    }
    return documents;
  }

  @Test
  void readsTheFixturesAsSnakeYamlReadsThem() throws Exception {
    List<String> documents = fixtureDocuments();
    int read = 0;
    for (String document : documents) {
      if (agrees(asItem(document))) {
        read++;
      }
    }
    System.out.println("PlainYaml read " + read + " of " + documents.size() + " fixture documents");
    assertThat(documents).hasSizeGreaterThan(70);
    // every chart render and kubectl-shaped dump is read (63 of 75 at this commit); the documents refused are the
    // hand-written fixtures in flow style ({name: shop}), which SnakeYAML reads
    assertThat(read).as("documents PlainYaml read of " + documents.size()).isGreaterThan(documents.size() * 3 / 4);
  }

  @Test
  void readsWhatSnakeYamlsWriterWritesInEveryStyle() {
    Random random = new Random(19);
    int read = 0;
    int total = 0;
    for (int round = 0; round < 300; round++) {
      Object document = randomMapping(random, 0);
      for (DumperOptions options : styles(random)) {
        String text = new Yaml(options).dump(List.of(document));
        total++;
        if (agrees(text)) {
          read++;
        }
      }
    }
    System.out.println("PlainYaml read " + read + " of " + total + " generated documents");
    // most generated documents hold a string PlainYaml leaves to SnakeYAML (a comment sign, a folded line, ...)
    assertThat(read).as("generated documents read of " + total).isGreaterThan(total / 10);
  }

  @Test
  void neverReadsAnEditedDocumentDifferently() throws Exception {
    // -Dplainyaml.seed (and -Dplainyaml.rounds) search elsewhere by hand: seeds 1 to 7 found nothing at this commit
    Random random = new Random(Long.getLong("plainyaml.seed", 2026));
    int rounds = Integer.getInteger("plainyaml.rounds", 6000);
    List<String> seeds = new ArrayList<>();
    for (String document : fixtureDocuments()) {
      if (document.length() < 6000) {
        seeds.add(asItem(document));
      }
    }
    for (int round = 0; round < 60; round++) {
      seeds.add(new Yaml(styles(random).get(0)).dump(List.of(randomMapping(random, 0))));
    }
    int read = 0;
    for (int round = 0; round < rounds; round++) {
      String text = seeds.get(random.nextInt(seeds.size()));
      int edits = 1 + random.nextInt(3);
      for (int e = 0; e < edits; e++) {
        text = edit(text, random);
      }
      if (agrees(text)) {
        read++;
      }
    }
    System.out.println("PlainYaml read " + read + " of " + rounds + " edited documents");
    assertThat(read).as("edited documents PlainYaml read").isGreaterThan(rounds / 8);
  }

  private static final String[] INSERTS = {" ", "  ", ":", ": ", "#", " #", "'", "\"", "\n", "- ", "-", "|", "|-",
      "|+", ">", "\\", "\\n", "\\u00e9", "{", "}", "[]", "{}", "&a ", "*a", "!!str ", "\t", "\r", "é", "0", "0x1F",
      "yes", "~", "null", "1e3", "...", "---", "? ", "%", "@", "`", "\u2028", "\u0085", "\ufeff", ",", "''", "<<: ",
      "  key: value\n", "\n  ", "\n    "};

  private static String edit(String text, Random random) {
    if (text.isEmpty()) {
      return text;
    }
    int at = random.nextInt(text.length());
    switch (random.nextInt(6)) {
      case 0 -> {
        return text.substring(0, at) + text.substring(Math.min(text.length(), at + 1 + random.nextInt(3)));
      }
      case 1, 2 -> {
        return text.substring(0, at) + INSERTS[random.nextInt(INSERTS.length)] + text.substring(at);
      }
      case 3 -> {
        // indentation: a line moved left or right
        int lineStart = text.lastIndexOf('\n', at) + 1;
        return random.nextBoolean() ? text.substring(0, lineStart) + " ".repeat(1 + random.nextInt(2))
            + text.substring(lineStart) : lineStart < text.length() && text.charAt(lineStart) == ' ' ? text.substring(0, lineStart)
            + text.substring(lineStart + 1) : text;
      }
      case 4 -> {
        // a line doubled (a duplicate key, or a second entry)
        int lineStart = text.lastIndexOf('\n', at) + 1;
        int lineEnd = text.indexOf('\n', at);
        lineEnd = lineEnd < 0 ? text.length() : lineEnd + 1;
        return text.substring(0, lineEnd) + text.substring(lineStart, lineEnd) + text.substring(lineEnd);
      }
      default -> {
        // the text cut
        return text.substring(0, at);
      }
    }
  }

  private static List<DumperOptions> styles(Random random) {
    List<DumperOptions> styles = new ArrayList<>();
    for (DumperOptions.ScalarStyle style : List.of(DumperOptions.ScalarStyle.PLAIN,
        DumperOptions.ScalarStyle.DOUBLE_QUOTED, DumperOptions.ScalarStyle.SINGLE_QUOTED,
        DumperOptions.ScalarStyle.LITERAL)) {
      DumperOptions options = new DumperOptions();
      options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
      options.setDefaultScalarStyle(style);
      options.setWidth(random.nextBoolean() ? 80 : 20 + random.nextInt(200));
      options.setIndent(2 + random.nextInt(3));
      options.setSplitLines(random.nextBoolean());
      options.setAllowUnicode(random.nextBoolean());
      styles.add(options);
    }
    return styles;
  }

  private static final String[] WORDS = {"a", "name", "f:metadata", "k:{\"uid\":\"0f1e\"}", ".", "true", "no", "on",
      "~", "null", "", " ", "0", "012", "0x1F", "1_000", "3.5", "1e3", "-1", "+1", ".inf", "2026-11-30",
      "2026-11-30T00:00:00Z", "a: b", "a #b", "#x", "- x", "? x", "key:", "'q'", "\"dq\"", "back\\slash", "tab\tx",
      "line\nbreak", "two\n\nlines\n", "trailing\n", "  lead", "trail  ", "é", "日本", "😀", "\u0085", "\u2028",
      "&anchor", "*alias", "!tag", "|", ">", "{}", "[]", "{a: b}", "[1, 2]", "%", "@x", "`x", "<<", "=",
      "very long words that the writer folds at its width when it splits lines, longer than eighty characters in all",
      "x".repeat(1100), "ctrl\u0001", "del\u007f", "nul\u0000"};

  private static Object randomScalar(Random random) {
    return switch (random.nextInt(10)) {
      case 0 -> random.nextInt(2000) - 1000;
      case 1 -> random.nextBoolean();
      case 2 -> null;
      case 3 -> random.nextDouble();
      case 4 -> WORDS[random.nextInt(WORDS.length)] + WORDS[random.nextInt(WORDS.length)];
      default -> WORDS[random.nextInt(WORDS.length)];
    };
  }

  private static Map<String, Object> randomMapping(Random random, int depth) {
    Map<String, Object> map = new LinkedHashMap<>();
    if (depth == 0) {
      map.put("apiVersion", "v1");
      map.put("kind", random.nextBoolean() ? "Pod" : "ConfigMap");
      map.put("metadata", Map.of("name", "p" + random.nextInt(100), "namespace", "ns",
          "annotations", Map.of("io.cilium/x", String.valueOf(randomScalar(random)), "b", "c")));
    }
    int fields = 1 + random.nextInt(5);
    for (int i = 0; i < fields; i++) {
      String key = random.nextInt(4) == 0 ? String.valueOf(randomScalar(random)) : "k" + i;
      int kind = depth > 3 ? 0 : random.nextInt(5);
      map.put(key, switch (kind) {
        case 1 -> randomMapping(random, depth + 1);
        case 2 -> {
          List<Object> list = new ArrayList<>();
          int n = random.nextInt(4);
          for (int k = 0; k < n; k++) {
            list.add(random.nextBoolean() ? randomMapping(random, depth + 1) : randomScalar(random));
          }
          yield list;
        }
        default -> randomScalar(random);
      });
    }
    return map;
  }

  @Test
  void readsKubectlsShapesAndKeepsOnlyWhatTheRulesKeep() {
    String text = """
        - apiVersion: v1
          kind: Pod
          metadata:
            annotations:
              kubectl.kubernetes.io/last-applied-configuration: |
                {"apiVersion":"v1","kind":"Pod"}
              io.cilium.proxy-visibility: '<Ingress/80/TCP/HTTP>'
            name: "web-\\u00e9"
            namespace: default
            managedFields:
            - apiVersion: v1
              fieldsV1:
                f:metadata:
                  f:labels:
                    .: {}
                    k:{"uid":"0f1e"}: {}
          spec:
            containers:
            - name: main
              image: nginx
              args:
              - --port=8080
            hostNetwork: yes
            nodeName: node-1
          status:
            phase: Running
        """;

    String plain = plainYaml(text, PruningSerialization.keepRules());

    assertThat(plain).isEqualTo(snakeYaml(text, PruningSerialization.keepRules()))
        .contains("String<name>:String<web-é>", "String<hostNetwork>:Boolean<true>",
            "String<nodeName>:String<node-1>")
        .doesNotContain("managedFields", "args", "last-applied");
    assertThat(plainYaml(text, Boolean.TRUE)).isEqualTo(snakeYaml(text, Boolean.TRUE))
        .contains("last-applied-configuration>:String<{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}\n>",
            "String<k:{\"uid\":\"0f1e\"}>:{}");
  }

  @Test
  void refusesTheCharactersYamlDoesNotReadAsTextAndReadsTheOthers() {
    for (String character : List.of("\u0085", "\u0080", "\u009f", "\u2028", "\u2029", "\ufeff", "\uffff", "\ufffe",
        "\u0001", "\u007f", "\t", "\r")) {
      byte[] text = ("- a: x" + character + "y\n").getBytes(StandardCharsets.UTF_8);
      assertThatThrownBy(() -> PlainYaml.items(text, 0, text.length, Boolean.TRUE)).as("U+%04X", (int) character
          .charAt(0)).isInstanceOf(PlainYaml.Refused.class);
    }
    byte[] cut = "- a: \u00e9\n".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> PlainYaml.items(cut, 0, cut.length - 2, Boolean.TRUE))
        .isInstanceOf(PlainYaml.Refused.class);
    for (String character : List.of("\u00a0", "\u00e9", "\u2027", "\u202a", "\ufffd", "\ud83d\ude00")) {
      String text = "- a: x" + character + "y\n";
      assertThat(plainYaml(text, Boolean.TRUE)).as("U+%04X", (int) character.charAt(0))
          .isEqualTo(snakeYaml(text, Boolean.TRUE)).contains("x" + character + "y");
    }
  }

  @Test
  void refusesWhatItDoesNotRead() {
    for (String text : List.of("- a: &x 1\n  b: *x\n", "- a: !!str 1\n", "- a: b # comment\n", "- a: |+\n  x\n",
        "- a: >\n  x\n", "- a: |2\n   x\n", "- a: b\n  c\n", "- a: 'b\n  c'\n", "- a: \"b\\\n  c\"\n", "- a: [b]\n",
        "- ? a\n  : b\n", "- a: b\n  a: c\n", "- a:\tb\n", "- a: b\r\n", "- a: \"\\x41\"\n", "- a: \u2028\n",
        "- - a\n", "-\n  a: b\n", "- a:\n    b\n", "- a: b: c\n", "- \"a\": b\n  k" + "x".repeat(1100) + ": v\n")) {
      assertThatThrownBy(() -> PlainYaml.items(text.getBytes(StandardCharsets.UTF_8), 0,
          text.getBytes(StandardCharsets.UTF_8).length, Boolean.TRUE)).as(text).isInstanceOf(PlainYaml.Refused.class);
    }
  }
}
