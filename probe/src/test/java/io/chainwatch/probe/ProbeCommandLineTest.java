package io.chainwatch.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProbeCommandLineTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private Optional<Integer> run(String... args) {
    return ProbeCommandLine.handle(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void helpListsEveryVariableAndVersionNamesTheCommit() {
    assertThat(run("--help")).contains(0);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("NODE_NAME", "CHAINWATCH_PROBE_REPAIR_KEY_FILE",
        "CHAINWATCH_PROBE_AGENT_SOCKET", "Exit codes");
    out.reset();
    assertThat(run("--version")).contains(0);
    assertThat(out.toString(StandardCharsets.UTF_8)).matches("chainwatch-probe \\S+ \\(commit [0-9a-f]{12}(-dirty)?, "
        + "built \\S+, Java .*\\)\\R");
  }

  @Test
  void helpNamesEveryVariableTheProbeReads() throws Exception {
    String source = java.nio.file.Files.readString(java.nio.file.Path.of(
        "src/main/java/io/chainwatch/probe/ProbeConfig.java"));
    java.util.regex.Matcher variables = java.util.regex.Pattern.compile("CHAINWATCH_PROBE_[A-Z_]+").matcher(source);
    while (variables.find()) {
      assertThat(ProbeCommandLine.HELP).contains(variables.group());
    }
  }

  @Test
  void noArgumentsProbesAndAnUnknownOneIsRefused() {
    assertThat(run()).isEmpty();
    assertThat(run("--interval=5s")).contains(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown argument \"--interval=5s\"",
        "environment variables");
  }
}
