package io.chainwatch.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** README's configuration table lists every setting with its variable and default, so the docs cannot drift. */
class ReadmeConfigurationTableTest {
  @Test
  void everySettingHasItsRowWithVariableAndDefault() throws Exception {
    List<String> rows = Files.readAllLines(Path.of("..", "README.md")).stream()
        .filter(line -> line.startsWith("| `")).toList();

    for (Setting<?> setting : Settings.ALL) {
      String expectedStart = "| `" + setting.path() + "` | `" + setting.envName() + "` | `" + setting.defaultValue()
          + "` |";
      assertThat(rows).as("README row for " + setting.path()).anyMatch(row -> row.startsWith(expectedStart));
    }
  }
}
