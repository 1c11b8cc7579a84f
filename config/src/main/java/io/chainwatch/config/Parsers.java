package io.chainwatch.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/** Value parsers for settings; each throws {@link IllegalArgumentException} on a value it cannot accept. */
public final class Parsers {
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern LABEL_PAIR =
      Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_./]{0,252})=([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");

  private Parsers() {}

  static final Duration MAX_DURATION = Duration.ofDays(3650);

  public static Function<String, Duration> duration(Duration min) {
    return raw -> {
      Duration value;
      try {
        value = Duration.parse(raw.trim());
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("not an ISO-8601 duration");
      }
      if (value.compareTo(MAX_DURATION) > 0) {
        // durations are used in milliseconds and added to instants: a larger one overflows later, far from its key
        throw new IllegalArgumentException("too long to be a duration (at most " + MAX_DURATION + ")");
      }
      if (value.compareTo(min) < 0) {
        throw new IllegalArgumentException("below the minimum " + min);
      }
      return value;
    };
  }

  public static Function<String, Integer> integer(int min, int max) {
    return raw -> {
      int value;
      try {
        value = Integer.parseInt(raw.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not an integer");
      }
      if (value < min || value > max) {
        throw new IllegalArgumentException("out of range");
      }
      return value;
    };
  }

  public static Boolean bool(String raw) {
    String value = raw.trim().toLowerCase(Locale.ROOT);
    if (value.equals("true")) {
      return true;
    }
    if (value.equals("false")) {
      return false;
    }
    throw new IllegalArgumentException("not a boolean");
  }

  public static Function<String, String> oneOf(Set<String> allowed) {
    return raw -> {
      String value = raw.trim().toLowerCase(Locale.ROOT);
      if (!allowed.contains(value)) {
        throw new IllegalArgumentException("not one of " + new java.util.TreeSet<>(allowed));
      }
      return value;
    };
  }

  /** One of {@code allowed}, case as given (Kafka's own names are upper case). */
  public static Function<String, String> oneOfExact(Set<String> allowed) {
    return raw -> {
      String value = raw.trim();
      if (!allowed.contains(value)) {
        throw new IllegalArgumentException("not one of " + new java.util.TreeSet<>(allowed));
      }
      return value;
    };
  }

  public static String dnsLabel(String raw) {
    String value = raw.trim();
    if (!DNS_LABEL.matcher(value).matches()) {
      throw new IllegalArgumentException("not a DNS label");
    }
    return value;
  }

  public static String autoOrDnsLabel(String raw) {
    return raw.trim().equals("auto") ? "auto" : dnsLabel(raw);
  }

  /** {@code auto} or one word without spaces or control characters (a chaining mode, a taint key). */
  public static String autoOrToken(String raw) {
    String value = raw.trim();
    if (value.isEmpty() || value.length() > 253 || !value.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException("not auto or a single word of printable ASCII");
    }
    return value;
  }

  public static String dnsSubdomain(String raw) {
    String value = raw.trim();
    if (value.length() > 253 || !DNS_SUBDOMAIN.matcher(value).matches()) {
      throw new IllegalArgumentException("not a DNS subdomain");
    }
    return value;
  }

  public static LabelSelector labelPair(String raw) {
    String value = raw.trim();
    var matcher = LABEL_PAIR.matcher(value);
    if (!matcher.matches()) {
      throw new IllegalArgumentException("not a key=value label");
    }
    return new LabelSelector(matcher.group(1), matcher.group(2) == null ? "" : matcher.group(2));
  }

  public static Function<String, Double> fraction(double min, double max) {
    return raw -> {
      double value;
      try {
        value = Double.parseDouble(raw.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a number");
      }
      if (!(value >= min && value <= max)) {
        throw new IllegalArgumentException("out of range");
      }
      return value;
    };
  }

  /** Comma-separated DNS labels; empty means none. Duplicates are dropped, order kept. */
  public static java.util.List<String> dnsLabelList(String raw) {
    java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
    for (String part : raw.split(",")) {
      String name = part.trim();
      if (name.isEmpty()) {
        continue;
      }
      if (!DNS_LABEL.matcher(name).matches()) {
        throw new IllegalArgumentException("\"" + name + "\" is not a namespace name");
      }
      names.add(name);
    }
    return java.util.List.copyOf(names);
  }

  /** A Kafka topic name (letters, digits, '.', '_', '-', at most 249), or empty for none. */
  public static String kafkaTopicOrEmpty(String raw) {
    String value = raw.trim();
    if (!value.isEmpty() && (!value.matches("[a-zA-Z0-9._-]{1,249}") || value.equals(".") || value.equals(".."))) {
      throw new IllegalArgumentException("not a Kafka topic name (letters, digits, '.', '_' and '-', at most 249)");
    }
    return value;
  }

  /** Any text, trimmed; empty allowed (an optional setting). */
  public static String optional(String raw) {
    return raw.trim();
  }

  /** Comma-separated {@code host:port} pairs; empty means off. */
  public static String hostPorts(String raw) {
    String value = raw.trim();
    for (String part : value.isEmpty() ? new String[0] : value.split(",")) {
      if (!part.trim().matches("[A-Za-z0-9.\\-\\[\\]:]+:[0-9]{1,5}")) {
        throw new IllegalArgumentException("\"" + part.trim() + "\" is not host:port");
      }
    }
    return value;
  }

  /**
   * Remediation modes per detector, {@code detector=mode,...}: {@code observe} (decide and report, no write; also
   * written {@code dry-run}), {@code approve} (act on a person's click) or {@code enforce}.
   */
  public static java.util.Map<String, String> detectorModes(String raw) {
    java.util.Map<String, String> modes = new java.util.TreeMap<>();
    for (String part : raw.split(",")) {
      String entry = part.trim();
      if (entry.isEmpty()) {
        continue;
      }
      int equals = entry.indexOf('=');
      String id = equals < 0 ? entry : entry.substring(0, equals).trim();
      String mode = equals < 0 ? "" : entry.substring(equals + 1).trim();
      if (!id.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
        throw new IllegalArgumentException("\"" + entry + "\" does not start with a detector id such as "
            + "endpoint-stuck");
      }
      switch (mode) {
        case "observe", "dry-run" -> modes.put(id, RemediationConfig.OBSERVE);
        case "approve" -> modes.put(id, RemediationConfig.APPROVE);
        case "enforce" -> modes.put(id, RemediationConfig.ENFORCE);
        default -> throw new IllegalArgumentException("\"" + entry + "\" has mode \"" + mode + "\"; use observe, "
            + "approve or enforce");
      }
    }
    return java.util.Map.copyOf(modes);
  }

  /** An http(s) URL. */
  public static String httpUrl(String raw) {
    String value = raw.trim();
    if (!value.matches("https?://[^\\s/]+(/[^\\s]*)?")) {
      throw new IllegalArgumentException("not an http(s) URL");
    }
    return value;
  }

  /** A URL starting with http:// or https:// and ending with a slash. */
  public static String baseUrl(String raw) {
    String value = raw.trim();
    if (!value.matches("https?://[^\\s]+/")) {
      throw new IllegalArgumentException("not an http(s) URL ending with /");
    }
    return value;
  }

  public static java.util.List<Silence> silences(String raw) {
    java.util.List<Silence> silences = new java.util.ArrayList<>();
    for (String part : raw.split(",")) {
      String entry = part.trim();
      if (entry.isEmpty()) {
        continue;
      }
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(node|namespace|detector):([^@\\s]+)@(\\S+)")
          .matcher(entry);
      if (!m.matches()) {
        throw new IllegalArgumentException("\"" + entry + "\" is not kind:name@time");
      }
      try {
        silences.add(new Silence(m.group(1), m.group(2), java.time.Instant.parse(m.group(3))));
      } catch (java.time.format.DateTimeParseException e) {
        throw new IllegalArgumentException("\"" + m.group(3) + "\" is not an RFC 3339 UTC time");
      }
    }
    return java.util.List.copyOf(silences);
  }

  public static String nonBlank(String raw) {
    String value = raw.trim();
    if (value.isEmpty()) {
      throw new IllegalArgumentException("empty");
    }
    return value;
  }
}
