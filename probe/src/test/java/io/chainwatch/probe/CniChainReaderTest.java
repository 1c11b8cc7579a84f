package io.chainwatch.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Over real CNI configuration directories (fixtures with provenance in resources/cni/README.md) and hostile ones. */
class CniChainReaderTest {
  private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
  @TempDir Path dir;

  /** Copies a fixture directory, each file modified at {@code T0 - 60 s}. */
  private Path node(String fixture) throws Exception {
    Path node = dir.resolve(fixture);
    Files.createDirectories(node);
    try (Stream<Path> files = Files.list(Path.of("src/test/resources/cni", fixture))) {
      for (Path file : files.toList()) {
        Path copy = node.resolve(file.getFileName());
        Files.copy(file, copy);
        Files.setLastModifiedTime(copy, FileTime.from(T0.minusSeconds(60)));
      }
    }
    return node;
  }

  private static List<String> plugins(JsonNode cni) {
    return java.util.stream.StreamSupport.stream(cni.path("plugins").spliterator(), false).map(JsonNode::asText)
        .toList();
  }

  @Test
  void ciliumAsThePrimaryCni() throws Exception {
    JsonNode cni = new CniChainReader(node("cilium-primary")).read(T0);

    assertThat(cni.path("file").asText()).isEqualTo("05-cilium.conflist");
    assertThat(plugins(cni)).containsExactly("cilium-cni");
    assertThat(cni.path("cilium").asBoolean()).isTrue();
    assertThat(cni.path("modifiedAt").asText()).isEqualTo(T0.minusSeconds(60).toString());
    assertThat(cni.has("error")).isFalse();
  }

  @Test
  void chainedToAwsCniTheRuntimeUsesCiliumsFileWhichSortsFirst() throws Exception {
    JsonNode cni = new CniChainReader(node("aws-chained")).read(T0);

    assertThat(cni.path("file").asText()).isEqualTo("05-cilium.conflist");
    assertThat(plugins(cni)).containsExactly("aws-cni", "portmap", "cilium-cni");
    assertThat(cni.path("cilium").asBoolean()).isTrue();
  }

  @Test
  void beforeCiliumAppendedItselfTheBaseCnisChainRunsAlone() throws Exception {
    JsonNode cni = new CniChainReader(node("aws-before-cilium")).read(T0);

    assertThat(cni.path("file").asText()).isEqualTo("10-aws.conflist");
    assertThat(plugins(cni)).containsExactly("aws-cni", "portmap");
    assertThat(cni.path("cilium").isBoolean()).isTrue();
    assertThat(cni.path("cilium").asBoolean()).isFalse();
  }

  @Test
  void chainedToFlannel() throws Exception {
    JsonNode cni = new CniChainReader(node("flannel-chained")).read(T0);

    assertThat(plugins(cni)).containsExactly("flannel", "portmap", "cilium-cni");
    assertThat(cni.path("cilium").asBoolean()).isTrue();
  }

  @Test
  void aMetaPluginAheadOfCiliumDelegatingOnlyToTheBaseCniLeavesCiliumOut() throws Exception {
    JsonNode cni = new CniChainReader(node("multus-ahead")).read(T0);

    assertThat(cni.path("file").asText()).isEqualTo("00-multus.conf");
    assertThat(plugins(cni)).containsExactly("multus");
    assertThat(cni.path("cilium").asBoolean()).isFalse();
  }

  @Test
  void aMetaPluginDelegatingToAFileOrNetworkElsewhereIsNotJudgedFromThisFile() throws Exception {
    Path node = node("flannel-chained");
    Files.writeString(node.resolve("00-multus.conf"), "{\"cniVersion\":\"0.3.1\",\"name\":\"multus-cni-network\","
        + "\"type\":\"multus-shim\",\"clusterNetwork\":\"/host/etc/cni/net.d/05-cilium.conflist\"}");
    JsonNode cni = new CniChainReader(node).read(T0);

    assertThat(cni.path("file").asText()).isEqualTo("00-multus.conf");
    assertThat(cni.get("cilium").isNull()).as("unknown, not false").isTrue();
  }

  @Test
  void seenSinceMovesOnlyWhenTheChosenFileOrItsContentChanges() throws Exception {
    Path node = node("aws-before-cilium");
    CniChainReader reader = new CniChainReader(node);
    assertThat(reader.read(T0).path("seenSince").asText()).isEqualTo(T0.toString());
    assertThat(reader.read(T0.plusSeconds(30)).path("seenSince").asText()).as("unchanged").isEqualTo(T0.toString());

    Files.copy(Path.of("src/test/resources/cni/aws-chained/05-cilium.conflist"), node.resolve("05-cilium.conflist"));
    JsonNode appended = reader.read(T0.plusSeconds(60));

    assertThat(appended.path("cilium").asBoolean()).isTrue();
    assertThat(appended.path("seenSince").asText()).isEqualTo(T0.plusSeconds(60).toString());
  }

  @Test
  void hostileFilesAreNamedAndSkippedNeverTrusted() throws Exception {
    Path node = node("aws-chained");
    Files.writeString(node.resolve("00-garbage.conf"), "{not json");
    Files.write(node.resolve("01-huge.conflist"), new byte[CniChainReader.MAX_FILE_BYTES + 1]);
    Files.createSymbolicLink(node.resolve("02-link.conflist"), Path.of("/etc/passwd"));
    Files.writeString(node.resolve("03-empty.conflist"), "{\"name\":\"x\",\"plugins\":[]}");
    Files.createDirectory(node.resolve("04-dir.conf"));
    Files.writeString(node.resolve("00-ignored.txt"), "not a CNI file");
    Files.writeString(node.resolve("10-flannel.conflist.cilium_bak"), "{}");

    JsonNode cni = new CniChainReader(node).read(T0);

    assertThat(cni.path("file").asText()).isEqualTo("05-cilium.conflist");
    assertThat(cni.path("problems").toString()).contains("00-garbage.conf: not JSON", "01-huge.conflist: larger than",
        "02-link.conflist: a symbolic link", "03-empty.conflist: holds no network", "04-dir.conf: not a regular file");
    assertThat(cni.path("problems").size()).isEqualTo(5);
  }

  @Test
  void aMissingOrEmptyDirectoryIsAnErrorInTheReportNotAnException() throws Exception {
    assertThat(new CniChainReader(dir.resolve("absent")).read(T0).path("error").asText())
        .contains("no CNI configuration directory");
    Path empty = Files.createDirectory(dir.resolve("empty"));
    assertThat(new CniChainReader(empty).read(T0).path("error").asText()).contains("no CNI configuration in");
  }

  @Test
  void aDirectoryWithThousandsOfFilesIsBounded() throws Exception {
    Path node = Files.createDirectory(dir.resolve("many"));
    for (int i = 0; i < 200; i++) {
      Files.writeString(node.resolve(String.format("%03d-x.conf", i)), "{}");
    }
    JsonNode cni = new CniChainReader(node).read(T0);

    assertThat(cni.path("error").asText()).contains("no usable");
    assertThat(cni.path("problems").toString()).contains("136 more configuration files than the 64 considered");
    assertThat(cni.toString().length()).isLessThan(2_000);
  }
}
