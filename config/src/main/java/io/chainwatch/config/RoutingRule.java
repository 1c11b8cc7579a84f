package io.chainwatch.config;

import io.chainwatch.model.Severity;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * One routing rule: which incidents it takes ({@link Match}, every criterion given must hold) and where they go. The
 * first rule that matches an incident decides all of its destinations: a destination the rule does not name is not
 * used for that incident (Kafka still audits everything). An incident no rule matches goes to the defaults
 * ({@code slack.channel}, {@code pagerduty.routingKeyFile}, {@code opsgenie.team}).
 *
 * @param name names the rule in errors, logs and audit records
 * @param match which incidents
 * @param slackChannel channel id or name, or {@code null} for no Slack message
 * @param pagerdutyRoutingKeyFile file holding the PagerDuty routing key, or {@code null} for no PagerDuty alert
 * @param opsgenieResponders Opsgenie responders as {@code type:name} (team, user, escalation, schedule), empty for no
 *     Opsgenie alert
 * @param quiet the rule sends nowhere on purpose (it must say so: a rule without destinations is otherwise a mistake)
 */
public record RoutingRule(String name, Match match, String slackChannel, String pagerdutyRoutingKeyFile,
    List<String> opsgenieResponders, boolean quiet) {
  public RoutingRule {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(match, "match");
    opsgenieResponders = List.copyOf(opsgenieResponders);
  }

  /**
   * Which incidents a rule takes. Namespace criteria hold when every namespaced object of the incident is in a
   * matching namespace (a node's problem that touches several teams' pods is not one team's page).
   *
   * @param namespaces namespace names, empty for any
   * @param namespaceLabels labels each namespace must carry (value {@code *}: any value), empty for any
   * @param nodePools node pool names (from the cloud's pool label), empty for any
   * @param detectors detector ids, empty for any
   * @param severities severities, empty for any
   */
  public record Match(List<String> namespaces, Map<String, String> namespaceLabels, List<String> nodePools,
      List<String> detectors, List<Severity> severities) {
    public Match {
      namespaces = List.copyOf(namespaces);
      namespaceLabels = Map.copyOf(namespaceLabels);
      nodePools = List.copyOf(nodePools);
      detectors = List.copyOf(detectors);
      severities = List.copyOf(severities);
    }

    boolean empty() {
      return namespaces.isEmpty() && namespaceLabels.isEmpty() && nodePools.isEmpty() && detectors.isEmpty()
          && severities.isEmpty();
    }

    /** Whether namespace criteria are part of it. */
    public boolean byNamespace() {
      return !namespaces.isEmpty() || !namespaceLabels.isEmpty();
    }
  }

  private static final Set<String> RULE_KEYS = Set.of("name", "match", "slackChannel", "pagerdutyRoutingKeyFile",
      "opsgenieResponders", "quiet");
  private static final Set<String> MATCH_KEYS = Set.of("namespaces", "namespaceLabels", "nodePools", "detectors",
      "severities");
  private static final Set<String> RESPONDER_TYPES = Set.of("team", "user", "escalation", "schedule");
  private static final int MAX_RULES = 500;

  /**
   * Reads the rules from YAML or JSON text (a list of mappings), as the config file holds them or an environment
   * variable carries them.
   *
   * @throws IllegalArgumentException naming the rule (index and name), the field and the value
   */
  public static List<RoutingRule> parse(String raw) {
    if (raw == null || raw.isBlank()) {
      return List.of();
    }
    Object document;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      options.setCodePointLimit(1024 * 1024);
      document = new Yaml(new SafeConstructor(options)).load(raw);
    } catch (YAMLException e) {
      throw new IllegalArgumentException("not valid YAML or JSON: " + e.getMessage().replace('\n', ' '));
    }
    if (document == null) {
      return List.of();
    }
    if (!(document instanceof List<?> list)) {
      throw new IllegalArgumentException("must be a list of rules, got " + kind(document));
    }
    if (list.size() > MAX_RULES) {
      throw new IllegalArgumentException("has " + list.size() + " rules; at most " + MAX_RULES);
    }
    List<RoutingRule> rules = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      RoutingRule rule = rule(i, list.get(i));
      if (!names.add(rule.name())) {
        throw new IllegalArgumentException("rule [" + i + "] has the name \"" + rule.name()
            + "\" of an earlier rule; names must be unique");
      }
      rules.add(rule);
    }
    return List.copyOf(rules);
  }

  private static RoutingRule rule(int index, Object item) {
    String where = "rule [" + index + "]";
    if (!(item instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException(where + " must be a mapping, got " + kind(item));
    }
    Object nameValue = map.get("name");
    if (!(nameValue instanceof String name) || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
      throw new IllegalArgumentException(where + ": name must be letters, digits, '.', '_' or '-' (at most 63), got "
          + kind(nameValue));
    }
    where = "rule [" + index + "] \"" + name + "\"";
    for (Object key : map.keySet()) {
      if (!RULE_KEYS.contains(String.valueOf(key))) {
        throw new IllegalArgumentException(where + ": unknown key \"" + key + "\" (known: " + sorted(RULE_KEYS) + ")");
      }
    }
    Object matchValue = map.get("match");
    if (!(matchValue instanceof Map<?, ?> matchMap)) {
      throw new IllegalArgumentException(where + ": match must be a mapping of criteria (" + sorted(MATCH_KEYS)
          + "), got " + kind(matchValue) + "; incidents no rule takes go to the defaults");
    }
    for (Object key : matchMap.keySet()) {
      if (!MATCH_KEYS.contains(String.valueOf(key))) {
        throw new IllegalArgumentException(where + ": unknown key match." + key + " (known: " + sorted(MATCH_KEYS)
            + ")");
      }
    }
    List<Severity> severities = new ArrayList<>();
    for (String severity : strings(where, "match.severities", matchMap.get("severities"))) {
      try {
        severities.add(Severity.valueOf(severity.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": match.severities has \"" + severity
            + "\"; use critical, warning or info");
      }
    }
    Match match = new Match(strings(where, "match.namespaces", matchMap.get("namespaces")),
        labels(where, matchMap.get("namespaceLabels")), strings(where, "match.nodePools", matchMap.get("nodePools")),
        strings(where, "match.detectors", matchMap.get("detectors")), severities);
    if (match.empty()) {
      throw new IllegalArgumentException(where + ": match names no criterion; a rule that takes every incident "
          + "hides every rule after it (the defaults already take what no rule takes)");
    }
    String slack = optionalString(where, "slackChannel", map.get("slackChannel"));
    String keyFile = optionalString(where, "pagerdutyRoutingKeyFile", map.get("pagerdutyRoutingKeyFile"));
    if (keyFile != null && !ConfigLoader.looksLikePath(keyFile)) {
      throw new IllegalArgumentException(where + ": pagerdutyRoutingKeyFile must be a file path (the key itself "
          + "never goes into the configuration), got <redacted: not a file path>");
    }
    List<String> responders = strings(where, "opsgenieResponders", map.get("opsgenieResponders"));
    for (String responder : responders) {
      int colon = responder.indexOf(':');
      if (colon < 0 || !RESPONDER_TYPES.contains(responder.substring(0, colon))
          || responder.substring(colon + 1).isBlank()) {
        throw new IllegalArgumentException(where + ": opsgenieResponders has \"" + responder + "\"; write type:name "
            + "with type team, user, escalation or schedule, such as team:payments");
      }
    }
    Object quietValue = map.get("quiet");
    if (quietValue != null && !(quietValue instanceof Boolean)) {
      throw new IllegalArgumentException(where + ": quiet must be true or false, got " + kind(quietValue));
    }
    boolean quiet = Boolean.TRUE.equals(quietValue);
    boolean sends = slack != null || keyFile != null || !responders.isEmpty();
    if (!sends && !quiet) {
      throw new IllegalArgumentException(where + " names no destination (slackChannel, pagerdutyRoutingKeyFile, "
          + "opsgenieResponders): set quiet: true if its incidents should reach nobody but the audit log");
    }
    if (sends && quiet) {
      throw new IllegalArgumentException(where + " is quiet but names destinations; choose one");
    }
    return new RoutingRule(name, match, slack, keyFile, responders, quiet);
  }

  private static List<String> strings(String where, String field, Object value) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> list)) {
      throw new IllegalArgumentException(where + ": " + field + " must be a list of strings, got " + kind(value));
    }
    List<String> strings = new ArrayList<>();
    for (Object item : list) {
      if (!(item instanceof String text) || text.isBlank()) {
        throw new IllegalArgumentException(where + ": " + field + " must hold non-empty strings, got " + kind(item));
      }
      strings.add(text.trim());
    }
    return strings;
  }

  private static Map<String, String> labels(String where, Object value) {
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException(where + ": match.namespaceLabels must be a mapping such as {team: payments}, "
          + "got " + kind(value));
    }
    Map<String, String> labels = new LinkedHashMap<>();
    map.forEach((key, labelValue) -> {
      if (!(labelValue instanceof String) && !(labelValue instanceof Number) && !(labelValue instanceof Boolean)) {
        throw new IllegalArgumentException(where + ": match.namespaceLabels." + key + " must be a label value (or *), "
            + "got " + kind(labelValue));
      }
      labels.put(String.valueOf(key), String.valueOf(labelValue));
    });
    return labels;
  }

  private static String optionalString(String where, String field, Object value) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text) || text.isBlank()) {
      throw new IllegalArgumentException(where + ": " + field + " must be a non-empty string, got " + kind(value));
    }
    return text.trim();
  }

  private static String sorted(Set<String> keys) {
    return String.join(", ", new java.util.TreeSet<>(keys));
  }

  private static String kind(Object value) {
    if (value == null) {
      return "nothing";
    }
    if (value instanceof Map) {
      return "a mapping";
    }
    if (value instanceof List) {
      return "a list";
    }
    return "\"" + value + "\"";
  }
}
