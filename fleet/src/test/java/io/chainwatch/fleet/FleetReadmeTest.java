package io.chainwatch.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** README's fleet table names exactly the variables the fleet reads. */
class FleetReadmeTest {
  private static final Pattern VARIABLE = Pattern.compile("CHAINWATCH_FLEET_[A-Z_]*[A-Z]");

  private static TreeSet<String> variables(String text, Pattern around) {
    TreeSet<String> found = new TreeSet<>();
    Matcher matcher = around.matcher(text);
    while (matcher.find()) {
      found.add(matcher.group(1));
    }
    return found;
  }

  @Test
  void everyVariableTheFleetReadsIsInTheReadmeTableAndNothingElse() throws IOException {
    TreeSet<String> read = new TreeSet<>();
    for (String source : new String[] {"FleetConfig", "FleetMain", "FleetPagers"}) {
      String text = Files.readString(Path.of("src", "main", "java", "io", "chainwatch", "fleet", source + ".java"));
      read.addAll(variables(text, Pattern.compile("\"(" + VARIABLE.pattern() + ")\"")));
    }
    read.remove("CHAINWATCH_FLEET_KAFKA"); // the prefix of the pass-through, a row of its own
    String readme = Files.readString(Path.of("..", "README.md"));
    int start = readme.indexOf("## The fleet (many clusters)");
    assertThat(start).isPositive();
    String section = readme.substring(start, readme.indexOf("\n## ", start + 1));
    TreeSet<String> documented = variables(section, Pattern.compile("(?m)^\\| `(" + VARIABLE.pattern() + ")` \\|"));

    assertThat(read).hasSizeGreaterThan(15);
    assertThat(documented).isEqualTo(read);
    assertThat(section).contains("| `CHAINWATCH_FLEET_KAFKA_*` |");
  }
}
