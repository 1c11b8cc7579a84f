package io.chainwatch.watcher.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A JSON List above a megabyte is parsed in parts on several threads: what it reads, and every error it reports, must
 * be what the one-pass reader reads and reports. The List is assembled here from {@code race-cluster.json}'s items (a
 * scenario built for these tests, not a dump), each followed by ConfigMaps chainwatch skips, so that the objects land
 * in different parts.
 */
class JsonOnEveryCoreTest {
  /** race-cluster.json's items, each followed by {@code fillers} padding ConfigMaps; {@code edit} changes the text. */
  static String raceClusterList(int fillers) throws Exception {
    String json = Files.readString(ScanTest.dump("race-cluster.json"));
    int open = json.indexOf("\"items\": [") + "\"items\": [".length();
    int close = json.lastIndexOf("],\n    \"kind\": \"List\"");
    assertThat(open).isPositive();
    assertThat(close).isGreaterThan(open);
    List<String> items = splitTopLevel(json.substring(open, close));
    assertThat(items).hasSize(20);
    StringBuilder out = new StringBuilder(json.substring(0, open));
    String padding = "x".repeat(200);
    for (int i = 0; i < items.size(); i++) {
      out.append(i == 0 ? "" : ",").append(items.get(i));
      for (int f = 0; f < fillers; f++) {
        out.append(",\n  {\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"filler-")
            .append(i).append('-').append(f).append("\", \"namespace\": \"pad\"}, \"data\": {\"script\": \"");
        for (int l = 0; l < 20; l++) {
          out.append("- line ").append(l).append(" {[\\\"").append(padding).append("\\n");
        }
        out.append("\"}}");
      }
    }
    return out.append(json.substring(close)).toString();
  }

  /** The top-level values of a comma-separated run of JSON objects (the fixture's items), by bracket depth. */
  private static List<String> splitTopLevel(String text) {
    List<String> values = new java.util.ArrayList<>();
    int depth = 0;
    int start = -1;
    boolean inString = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{' && depth++ == 0) {
        start = i;
      } else if (c == '}' && --depth == 0) {
        values.add(text.substring(start, i + 1));
      }
    }
    return values;
  }

  private static DumpReader read(byte[] json, int threads, int wholeLimit) throws Exception {
    return PartsReads.read("big.json", json, threads, wholeLimit);
  }

  private static DumpReader read(byte[] json, int threads) throws Exception {
    return PartsReads.read("big.json", json, threads);
  }

  private static String error(String json, int threads) {
    return PartsReads.error("big.json", json.getBytes(StandardCharsets.UTF_8), threads);
  }

  private static String error(byte[] json, int threads) {
    return PartsReads.error("big.json", json, threads);
  }

  @Test
  void aLargeListReadInPartsReadsWhatTheOnePassReaderReads() throws Exception {
    String json = raceClusterList(40);
    assertThat(json.length()).isGreaterThan(2 * DumpReader.PARALLEL_MIN_BYTES);

    DumpReader inParts = read(json.getBytes(StandardCharsets.UTF_8), 2);
    DumpReader onePass = read(json.getBytes(StandardCharsets.UTF_8), 1);

    assertThat(inParts.itemsReadInParts).isEqualTo(inParts.objectsRead()).isEqualTo(20 * 41);
    assertThat(onePass.itemsReadInParts).isZero();
    assertThat(onePass.objectsRead()).isEqualTo(20 * 41);
    assertThat(inParts.objectsUsed()).isEqualTo(onePass.objectsUsed()).isEqualTo(18);
    assertThat(inParts.conflicts()).isEqualTo(onePass.conflicts());
  }

  @Test
  void progressWhileThePartsAreParsedCountsTheInputsBytesAndParts() throws Exception {
    byte[] json = raceClusterList(40).getBytes(StandardCharsets.UTF_8);
    PartsReads.Progress read = PartsReads.withProgress("big.json", json);

    assertThat(read.reader().itemsReadInParts).isEqualTo(20 * 41);
    assertThat(json.length >> 20).isEqualTo(3);
    assertThat(read.lines()).isNotEmpty().allSatisfy(line -> assertThat(line)
        .matches("reading big\\.json: 3 MB read, parsing it on 2 threads: \\d of 8 parts done \\(\\d+ s\\)"));
  }

  @Test
  void aListLargerThanAQuarterOfTheHeapIsStreamedInOnePassFromWhatWasAlreadyRead() throws Exception {
    byte[] json = raceClusterList(40).getBytes(StandardCharsets.UTF_8);

    DumpReader reader = read(json, 2, json.length / 3);

    assertThat(reader.itemsReadInParts).isZero();
    assertThat(reader.objectsRead()).as("the bytes read to decide, then the rest").isEqualTo(20 * 41);
    assertThat(reader.objectsUsed()).isEqualTo(18);
  }

  @Test
  void anObjectReadTwiceInTwoPartsIsReportedAsTheOnePassReaderReportsIt() throws Exception {
    String list = raceClusterList(40);
    String json = Files.readString(ScanTest.dump("race-cluster.json"));
    String pod = splitTopLevel(json.substring(json.indexOf("\"items\": [") + 10)).get(7);
    assertThat(pod).contains("\"name\": \"cilium-7xk2p\"", "\"creationTimestamp\": \"2026-11-23T04:00:50Z\"");
    String end = "],\n    \"kind\": \"List\"";
    String twice = list.replace(end, ",\n" + pod.replace("2026-11-23T04:00:50Z", "2026-11-23T04:00:51Z") + end);

    DumpReader inParts = read(twice.getBytes(StandardCharsets.UTF_8), 2);
    DumpReader onePass = read(twice.getBytes(StandardCharsets.UTF_8), 1);

    assertThat(inParts.itemsReadInParts).isEqualTo(20 * 41 + 1);
    assertThat(inParts.conflicts()).hasSize(1).isEqualTo(onePass.conflicts());
    assertThat(inParts.conflicts().get(0)).startsWith("big.json item 820: ");
  }

  @Test
  void everyErrorIsTheOnePassReadersError() throws Exception {
    String list = raceClusterList(40);
    String end = "],\n    \"kind\": \"List\"";
    int lastItem = list.lastIndexOf(end);
    List<String> broken = List.of(
        list.replaceFirst("\"hostNetwork\": true", "\"hostNetwork\": \"yes\""),
        list.substring(0, list.length() * 2 / 3),
        list.replace("\"kind\": \"List\"", "\"kind\": \"Pod\""),
        list.replaceFirst("\\}\\},\n  \\{\"apiVersion\"", "}}\n  {\"apiVersion\""),
        list.substring(0, lastItem) + "," + list.substring(lastItem),
        list.substring(0, lastItem) + ", 42" + list.substring(lastItem),
        list.replaceFirst("\"metadata\": \\{\"name\": \"filler-3-3\"", "\"metadata\": {\"name\": filler-3-3"),
        list.replaceFirst("\"namespace\": \"pad\"}", "\"namespace\": \"pad\"]"),
        list + "\n{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"after\"}, \"x\": ]}",
        list.replaceFirst("\"name\": \"cilium-7xk2p\"", "\"name\": \"cilium-\\\\q\""));
    for (int i = 0; i < broken.size(); i++) {
      String json = broken.get(i);
      assertThat(json).isNotEqualTo(list);
      assertThat(error(json, 2)).as("case " + i).isEqualTo(error(json, 1)).isNotEqualTo(PartsReads.NO_ERROR);
    }
    // JSON allows a key twice (kubectl never writes it): the one-pass reader reads both arrays, and the split leaves
    // such a List to it
    String itemsTwice = list.replaceFirst("\"apiVersion\": \"v1\",\n    \"items\"", "\"apiVersion\": \"v1\",\n"
        + "    \"items\": [{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"n\"}}],\n    \"items\"");
    assertThat(itemsTwice).isNotEqualTo(list);
    assertThat(read(itemsTwice.getBytes(StandardCharsets.UTF_8), 2).objectsRead()).isEqualTo(20 * 41 + 1);
    assertThat(read(itemsTwice.getBytes(StandardCharsets.UTF_8), 2).itemsReadInParts).isZero();
    assertThat(error(broken.get(0), 2)).startsWith("big.json item ").contains("hostNetwork must be a boolean");
    assertThat(error(broken.get(1), 2)).startsWith("big.json: malformed or truncated JSON at line ");

    byte[] notUtf8 = list.replaceFirst("- line 5", "- line \u00e9").getBytes(StandardCharsets.UTF_8);
    int e = indexOf(notUtf8, (byte) 0xC3);
    notUtf8[e + 1] = '(';
    assertThat(error(notUtf8, 2)).isEqualTo(error(notUtf8, 1)).isEqualTo("big.json: not valid UTF-8 text (at byte "
        + (e + 1) + ")"); // the byte that cannot follow the lead byte
  }

  @Test
  void theSplitFollowsStringsAndBracketsAndRefusesWhatIsNotOneList() {
    byte[] json = ("{\"kind\":\"List\",\"items\":[ {\"a\":\"}]\\\"{\",\"b\":[1,{\"c\":[]}]} ,\n{\"items\":[{}]}],"
        + "\"metadata\":{\"x\":\"items\"}}\n").getBytes(StandardCharsets.UTF_8);
    ListSplit split = JsonListSplit.of(json, json.length);

    assertThat(split).isNotNull();
    assertThat(split.items()).isEqualTo(2);
    assertThat(new String(json, split.start(0), split.end(0) - split.start(0), StandardCharsets.UTF_8))
        .isEqualTo("{\"a\":\"}]\\\"{\",\"b\":[1,{\"c\":[]}]}");
    assertThat(new String(json, split.start(1), split.end(1) - split.start(1), StandardCharsets.UTF_8))
        .isEqualTo("{\"items\":[{}]}");
    assertThat(new String(split.header(), StandardCharsets.UTF_8))
        .isEqualTo("{\"kind\":\"List\",\"items\":[],\"metadata\":{\"x\":\"items\"}}\n");

    for (String refused : List.of("[{\"a\":1}]", "{\"items\":[]}", "{\"items\":[{}]} {}", "{\"items\":[{},]}",
        "{\"items\":[{} {}]}", "{\"items\":[1]}", "{\"items\":{}}", "{\"items\":[{}],\"items\":[{}]}",
        "{\"items\":[{\"a\":\"b}]}", "{\"items\":[{}]", "{\"items\" [{}]}")) {
      byte[] bytes = refused.getBytes(StandardCharsets.UTF_8);
      assertThat(JsonListSplit.of(bytes, bytes.length)).as(refused).isNull();
    }
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    throw new AssertionError("not found");
  }
}
