package io.chainwatch.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoCommandLineTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  @Test
  void helpAndVersionAnswerWithoutStartingTheDemo() throws Exception {
    assertThat(DemoMain.run(List.of("--help"), new PrintStream(out, true, StandardCharsets.UTF_8))).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Usage: java -jar chainwatch-demo.jar")
        .contains("--metrics-port=PORT").doesNotContain("Starting a Kafka broker");
    out.reset();
    assertThat(DemoMain.run(List.of("--version"), new PrintStream(out, true, StandardCharsets.UTF_8))).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("chainwatch-demo ").contains("(commit ");
  }

  @Test
  void anUnknownArgumentIsRefused() throws Exception {
    assertThat(DemoMain.run(List.of("--metrics-port=http"), new PrintStream(out, true, StandardCharsets.UTF_8)))
        .isEqualTo(2);
    assertThat(DemoMain.run(List.of("--folow"), new PrintStream(out, true, StandardCharsets.UTF_8))).isEqualTo(2);
    assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("Starting a Kafka broker");
  }
}
