package io.chainwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    long limit = Quantity.getAmountInBytes(new Quantity(defaultMemoryLimit())).longValueExact();

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

  private static String defaultMemoryLimit() throws Exception {
    Object values = new Yaml().load(Files.readString(Chart.DIR.resolve("values.yaml")));
    return String.valueOf(Chart.<Object>at(values, "resources", "limits", "memory"));
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
}
