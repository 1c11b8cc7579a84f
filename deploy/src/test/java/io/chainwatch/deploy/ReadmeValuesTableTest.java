package io.chainwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** README's "Install" table lists every chart value with its default and meaning, as values.yaml says. */
class ReadmeValuesTableTest {
  @Test
  void everyValueIsInTheReadmeAsValuesYamlDocumentsIt() throws Exception {
    List<String> expected = ValuesTable.rows(Chart.DIR.resolve("values.yaml"));
    List<String> readme = Files.readAllLines(Path.of("..", "README.md"));

    assertThat(expected).hasSizeGreaterThan(30);
    assertThat(readme).as("README rows; regenerate them from values.yaml").containsAll(expected);
  }
}
