package io.chainwatch.fleet;

import java.util.Map;
import java.util.function.Function;

/**
 * Reads one {@code CHAINWATCH_FLEET_*} variable with one of chainwatch's own parsers ({@link
 * io.chainwatch.config.Parsers}, the ones its settings use) and names the variable and the value when it does not
 * parse: {@code NAME must be <expected>, got "<value>"}.
 */
final class FleetEnv {
  private FleetEnv() {}

  static <T> T read(Map<String, String> env, String name, String fallback, Function<String, T> parser,
      String expected) {
    String raw = env.getOrDefault(name, fallback);
    try {
      return parser.apply(raw);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + " must be " + expected + ", got \"" + raw + "\"");
    }
  }
}
