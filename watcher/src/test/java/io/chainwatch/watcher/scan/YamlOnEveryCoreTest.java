package io.chainwatch.watcher.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainwatch.config.ChainwatchConfig;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A YAML List of kubectl's shape above a megabyte is parsed in parts on several threads: what it reads, and every
 * error it reports, must be what the one-pass reader reads and reports. The List is assembled here from the race
 * cluster dump's objects (the same objects as {@code race-cluster.json}), with ConfigMaps chainwatch skips between
 * them so that the objects land in different parts.
 */
class YamlOnEveryCoreTest {
  private static final Instant NOW = Instant.parse("2026-11-23T04:10:00Z");
  @TempDir Path dir;

  /** The race cluster's objects as items of a kubectl List, each followed by {@code fillers} padding ConfigMaps. */
  static String raceClusterList(int fillers, String firstItemExtra, String lastItemExtra) throws Exception {
    String[] documents = Files.readString(ScanTest.dump("race-cluster.yaml")).split("\n---\n");
    StringBuilder yaml = new StringBuilder("apiVersion: v1\nitems:\n");
    String padding = "x".repeat(200);
    for (int d = 0; d < documents.length; d++) {
      List<String> lines = new ArrayList<>(documents[d].strip().lines().toList());
      if (d == 0) {
        lines.addAll(firstItemExtra.lines().toList());
      }
      if (d == documents.length - 1) {
        lines.addAll(lastItemExtra.lines().toList());
      }
      for (int i = 0; i < lines.size(); i++) {
        yaml.append(i == 0 ? "- " : "  ").append(lines.get(i)).append('\n');
      }
      for (int f = 0; f < fillers; f++) {
        yaml.append("- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: filler-").append(d).append('-')
            .append(f).append("\n    namespace: pad\n  data:\n    script: |\n");
        for (int l = 0; l < 20; l++) {
          yaml.append("      - line ").append(l).append(' ').append(padding).append('\n');
        }
      }
    }
    return yaml.append("kind: List\nmetadata:\n  resourceVersion: \"\"\n").toString();
  }

  private static String scanOutput(Path input) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Scan.run(ChainwatchConfig.defaults(), List.of(input.toString()), NOW, InputStream.nullInputStream(),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8);
  }

  private static DumpReader read(byte[] yaml, int threads) throws Exception {
    return PartsReads.read("big.yaml", yaml, threads);
  }

  private static DumpReader read(byte[] yaml, int threads, int wholeLimit) throws Exception {
    return PartsReads.read("big.yaml", yaml, threads, wholeLimit);
  }

  private static String error(byte[] yaml, int threads) {
    String error = PartsReads.error("big.yaml", yaml, threads);
    assertThat(error).as("an error").isNotEqualTo(PartsReads.NO_ERROR);
    return error;
  }

  @Test
  void aLargeListReadInPartsFindsWhatItsJsonFinds() throws Exception {
    String yaml = raceClusterList(40, "", "");
    assertThat(yaml.length()).isGreaterThan(2 * DumpReader.PARALLEL_MIN_BYTES);
    Path file = dir.resolve("big.yaml");
    Files.writeString(file, yaml);

    DumpReader inParts = read(yaml.getBytes(StandardCharsets.UTF_8), 2);
    DumpReader onePass = read(yaml.getBytes(StandardCharsets.UTF_8), 1);

    assertThat(inParts.itemsReadInParts).isEqualTo(inParts.objectsRead()).isEqualTo(20 * 41);
    assertThat(inParts.plainYamlParts.get()).as("parts PlainYaml read").isEqualTo(8);
    assertThat(onePass.itemsReadInParts).isZero();
    assertThat(inParts.objectsUsed()).isEqualTo(onePass.objectsUsed()).isEqualTo(18);
    assertThat(scanOutput(file)).isNotEmpty().isEqualTo(scanOutput(ScanTest.dump("race-cluster.json")));
  }

  @Test
  void aPartPlainYamlRefusesIsReadBySnakeYamlWithTheSameResult() throws Exception {
    // a comment and a folded string in the first item: its part goes to SnakeYAML, the others stay with PlainYaml
    String yaml = raceClusterList(40, "  # a comment PlainYaml leaves to SnakeYAML\n  note: >\n    folded\n", "");
    Path file = dir.resolve("mixed.yaml");
    Files.writeString(file, yaml);

    DumpReader inParts = read(yaml.getBytes(StandardCharsets.UTF_8), 2);

    assertThat(inParts.itemsReadInParts).isEqualTo(20 * 41);
    assertThat(inParts.plainYamlParts.get()).isEqualTo(7);
    assertThat(inParts.objectsUsed()).isEqualTo(18);
    assertThat(scanOutput(file)).isNotEmpty().isEqualTo(scanOutput(ScanTest.dump("race-cluster.json")));
  }

  @Test
  void progressWhileThePartsAreParsedCountsParts() throws Exception {
    byte[] yaml = raceClusterList(40, "", "").getBytes(StandardCharsets.UTF_8);
    PartsReads.Progress read = PartsReads.withProgress("big.yaml", yaml);

    assertThat(read.reader().itemsReadInParts).isEqualTo(20 * 41);
    assertThat(read.lines()).isNotEmpty().allSatisfy(line -> assertThat(line)
        .matches("reading big\\.yaml: 3 MB read, parsing it on 2 threads: \\d of 8 parts done \\(\\d+ s\\)"));
  }

  @Test
  void aListLargerThanAQuarterOfTheHeapIsStreamedInOnePassFromWhatWasAlreadyRead() throws Exception {
    byte[] yaml = raceClusterList(40, "", "").getBytes(StandardCharsets.UTF_8);

    DumpReader reader = read(yaml, 2, yaml.length / 3);

    assertThat(reader.itemsReadInParts).isZero();
    assertThat(reader.objectsRead()).as("the bytes read to decide, then the rest").isEqualTo(20 * 41);
    assertThat(reader.objectsUsed()).isEqualTo(18);
  }

  @Test
  void anAliasToAnotherPartsAnchorIsReadInOnePass() throws Exception {
    String list = raceClusterList(40, "", "");
    int lastPod = list.lastIndexOf("- apiVersion: v1\n  kind: Pod\n");
    String yaml = list.substring(0, lastPod) + "- apiVersion: *v1\n" + list.substring(lastPod + "- apiVersion: v1\n"
        .length());
    yaml = yaml.replaceFirst("- apiVersion: v1\n  kind: Node\n", "- apiVersion: &v1 v1\n  kind: Node\n");

    DumpReader reader = read(yaml.getBytes(StandardCharsets.UTF_8), 2);

    assertThat(reader.itemsReadInParts).as("the alias is in a kept field, in another part").isZero();
    assertThat(reader.objectsRead()).isEqualTo(20 * 41);
    assertThat(reader.objectsUsed()).isEqualTo(18);
  }

  @Test
  void anAliasInASkippedFieldNeedsNoAnchorInItsPart() throws Exception {
    byte[] yaml = raceClusterList(40, "  extra: &shared {a: b}\n", "  extra: *shared\n")
        .getBytes(StandardCharsets.UTF_8);

    DumpReader reader = read(yaml, 2);

    assertThat(reader.itemsReadInParts).as("neither reader resolves what it skips").isEqualTo(20 * 41);
    assertThat(reader.objectsUsed()).isEqualTo(18);
  }

  @Test
  void errorsInAPartAreTheOnePassReadersErrors() throws Exception {
    byte[] badField = raceClusterList(40, "", "").replace("  hostNetwork: true\n", "  hostNetwork: \"yes\"\n")
        .getBytes(StandardCharsets.UTF_8);
    byte[] truncated = raceClusterList(40, "", "").replace("kind: List\n", "")
        .getBytes(StandardCharsets.UTF_8);
    byte[] malformed = raceClusterList(40, "", "  broken: [a, b\n").getBytes(StandardCharsets.UTF_8);
    byte[] notUtf8 = raceClusterList(40, "", "  bad: \"\u00e9\"\n").getBytes(StandardCharsets.UTF_8);
    int e = indexOf(notUtf8, (byte) 0xC3);
    notUtf8[e + 1] = '(';

    for (byte[] yaml : List.of(badField, truncated, malformed, notUtf8)) {
      assertThat(error(yaml, 2)).isEqualTo(error(yaml, 1));
    }
    assertThat(error(badField, 2)).contains("big.yaml (YAML document 1) item ").contains("hostNetwork must be a "
        + "boolean, got yes");
    assertThat(error(truncated, 2)).contains("has items but its kind is null, not a List: is the file truncated?");
    assertThat(error(malformed, 2)).startsWith("big.yaml: malformed YAML");
    assertThat(error(notUtf8, 2)).isEqualTo("big.yaml: not valid UTF-8 text");
    assertThatThrownBy(() -> read(truncated, 2)).isInstanceOf(ScanInputException.class);
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
