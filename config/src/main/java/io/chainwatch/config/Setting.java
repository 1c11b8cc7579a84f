package io.chainwatch.config;

import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * One configuration key: its YAML path, its environment variable, its default and how to parse it.
 *
 * @param path dotted YAML path, e.g. {@code detectors.missed-cilium-chain.minPodAge}
 * @param defaultValue the default, written as a user would write it
 * @param expected what a valid value looks like, for error messages
 * @param parser turns the raw text into a value or throws {@link IllegalArgumentException}
 * @param description one line for documentation
 * @param secret never printed
 */
public record Setting<T>(
    String path,
    String defaultValue,
    String expected,
    Function<String, T> parser,
    String description,
    boolean secret) {
  public static final String ENV_PREFIX = "CHAINWATCH_";

  public Setting {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(parser, "parser");
  }

  /** {@code detectors.missed-cilium-chain.minPodAge} becomes {@code CHAINWATCH_DETECTORS_MISSED_CILIUM_CHAIN_MIN_POD_AGE}. */
  public String envName() {
    StringBuilder env = new StringBuilder(ENV_PREFIX);
    char previous = '_';
    for (char c : path.toCharArray()) {
      char next;
      if (Character.isUpperCase(c) && Character.isLetterOrDigit(previous)) {
        env.append('_');
        next = c;
      } else if (Character.isLetterOrDigit(c)) {
        next = Character.toUpperCase(c);
      } else {
        next = '_';
      }
      env.append(Character.toUpperCase(next));
      previous = c;
    }
    return env.toString().toUpperCase(Locale.ROOT);
  }
}
