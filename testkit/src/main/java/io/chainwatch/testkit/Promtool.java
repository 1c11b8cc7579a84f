package io.chainwatch.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code promtool} (Prometheus' own checker), found as {@code $PROMTOOL} or on the PATH. {@code .ci/run}
 * installs it from Debian's {@code prometheus} package and sets {@code CHAINWATCH_REQUIRE_PROMTOOL=1}, so that in CI
 * a missing promtool fails the tests that need it instead of skipping them.
 */
public final class Promtool {
  private final Path binary;

  private Promtool(Path binary) {
    this.binary = binary;
  }

  /** promtool, when it can be found. */
  public static Optional<Promtool> find() {
    String explicit = System.getenv("PROMTOOL");
    if (explicit != null && !explicit.isBlank() && Files.isExecutable(Path.of(explicit))) {
      return Optional.of(new Promtool(Path.of(explicit)));
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, "promtool");
      if (Files.isExecutable(candidate)) {
        return Optional.of(new Promtool(candidate));
      }
    }
    return Optional.empty();
  }

  /** Whether a missing promtool must fail the test (CI) rather than skip it (a developer's machine). */
  public static boolean required() {
    return "1".equals(System.getenv("CHAINWATCH_REQUIRE_PROMTOOL"));
  }

  /**
   * Runs promtool with {@code args}, {@code stdin} on its standard input (may be {@code null}), for at most 60 s.
   *
   * @return the exit code and everything it printed
   */
  public Result run(String stdin, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (stdin != null) {
      process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    process.getOutputStream().close();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("promtool " + String.join(" ", args) + " did not finish within 60 s");
    }
    return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }

  /** What promtool said. */
  public record Result(int exit, String output) {}
}
