package io.chainwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The watcher image's JVM flags (Jib's {@code jvmFlags} in watcher/pom.xml) choose the collector whenever the chart's
 * default memory limit is below the JVM's server-class threshold, and README's "Image" section states them as built.
 */
class ImageJvmFlagsTest {
  /** Below this much memory a JVM that is told nothing takes the Serial collector (HotSpot's server-class check). */
  private static final long SERVER_CLASS_BYTES = 1792L << 20;

  @Test
  void aChartDefaultContainerRunsG1NotTheSerialCollectorErgonomicsWouldPick() throws Exception {
    long limit = bytes(defaultMemoryLimit());

    assertThat(limit).as("the chart's default memory limit").isPositive();
    if (limit < SERVER_CLASS_BYTES) {
      assertThat(watcherJvmFlags()).as("watcher/pom.xml's Jib jvmFlags, for a " + defaultMemoryLimit()
          + " container").contains("-XX:+UseG1GC");
    }
  }

  @Test
  void readmeStatesTheFlagsTheImageIsBuiltWith() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));

    assertThat(readme).contains("with\n`" + String.join(" ", watcherJvmFlags()) + "`");
  }

  @Test
  void memoryQuantitiesAreReadAsKubernetesWritesThem() {
    assertThat(bytes("768Mi")).isEqualTo(768L << 20);
    assertThat(bytes("2Gi")).isEqualTo(2L << 30);
    assertThat(bytes("1G")).isEqualTo(1_000_000_000L);
    assertThat(bytes("512M")).isEqualTo(512_000_000L);
    assertThat(bytes("1048576")).isEqualTo(1L << 20);
  }

  @SuppressWarnings("unchecked")
  private static String defaultMemoryLimit() throws Exception {
    Map<String, Object> values = new Yaml().load(Files.readString(Chart.DIR.resolve("values.yaml")));
    Map<String, Object> limits = (Map<String, Object>) ((Map<String, Object>) values.get("resources")).get("limits");
    return String.valueOf(limits.get("memory"));
  }

  private static List<String> watcherJvmFlags() throws Exception {
    String pom = Files.readString(Path.of("..", "watcher", "pom.xml"));
    Matcher block = Pattern.compile("<jvmFlags>(.*?)</jvmFlags>", Pattern.DOTALL).matcher(pom);
    assertThat(block.find()).as("watcher/pom.xml has Jib jvmFlags").isTrue();
    List<String> flags = new ArrayList<>();
    Matcher flag = Pattern.compile("<jvmFlag>([^<]+)</jvmFlag>").matcher(block.group(1));
    while (flag.find()) {
      flags.add(flag.group(1).trim());
    }
    return flags;
  }

  private static long bytes(String quantity) {
    Matcher m = Pattern.compile("(\\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?").matcher(quantity.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("resources.limits.memory: not a memory quantity: " + quantity);
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2) == null ? "" : m.group(2)) {
      case "Ki" -> n << 10;
      case "Mi" -> n << 20;
      case "Gi" -> n << 30;
      case "Ti" -> n << 40;
      case "k" -> n * 1_000L;
      case "M" -> n * 1_000_000L;
      case "G" -> n * 1_000_000_000L;
      case "T" -> n * 1_000_000_000_000L;
      default -> n;
    };
  }
}
