package io.chainwatch.config;

import java.util.List;

/** Start-up refused: every problem found in the configuration, listed at once. */
public class ConfigException extends RuntimeException {
  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super("Invalid configuration:\n  - " + String.join("\n  - ", problems));
    this.problems = List.copyOf(problems);
  }

  /** One message per problem, each naming the key, what was expected and what was found. */
  public List<String> problems() {
    return problems;
  }
}
