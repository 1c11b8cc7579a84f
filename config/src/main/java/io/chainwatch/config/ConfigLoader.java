package io.chainwatch.config;

import io.chainwatch.config.ChainwatchConfig.EffectiveSetting;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Loads configuration from an optional YAML file and {@code CHAINWATCH_*} environment variables (which win), checks
 * every value, and fails once with every problem.
 */
public final class ConfigLoader {
  private ConfigLoader() {}

  /**
   * Loads and validates the configuration.
   *
   * @param file YAML file, or {@code null} to use {@code CHAINWATCH_CONFIG_FILE} when set, else defaults only
   * @param env environment variables ({@code System.getenv()} in production, a map in tests)
   * @return the validated configuration
   * @throws ConfigException listing every problem, each naming the key or variable, the expected form and the value
   */
  public static ChainwatchConfig load(Path file, Map<String, String> env) {
    return load(file, env, List.of());
  }

  /**
   * Loads and validates the configuration, with settings declared elsewhere (each detector declares its own): they
   * are read, checked and reported like the others, and their values are in {@link ChainwatchConfig#value}.
   *
   * @param extensions settings beyond {@link Settings#ALL}; a path of {@code Settings.ALL} is a programming error
   */
  public static ChainwatchConfig load(Path file, Map<String, String> env, List<Setting<?>> extensions) {
    List<Setting<?>> all = new ArrayList<>(Settings.ALL);
    for (Setting<?> extension : extensions) {
      if (all.stream().anyMatch(s -> s.path().equals(extension.path()))) {
        throw new IllegalArgumentException("setting " + extension.path() + " is declared twice");
      }
      all.add(extension);
    }
    List<String> problems = new ArrayList<>();
    Path source = file;
    if (source == null && env.get(Settings.CONFIG_FILE_ENV) != null && !env.get(Settings.CONFIG_FILE_ENV).isBlank()) {
      source = Path.of(env.get(Settings.CONFIG_FILE_ENV).trim());
    }
    Map<String, Object> fromFile = source == null ? Map.of() : readFile(source, all, problems);

    Map<Setting<?>, Object> values = new HashMap<>();
    List<EffectiveSetting> effective = new ArrayList<>();
    for (Setting<?> setting : all) {
      String raw;
      String origin;
      if (env.containsKey(setting.envName())) {
        raw = env.get(setting.envName());
        origin = "env " + setting.envName();
      } else if (fromFile.containsKey(setting.path())) {
        Object value = fromFile.get(setting.path());
        if (Settings.LIST_VALUED.contains(setting) && value instanceof List<?> list
            && list.stream().noneMatch(e -> e instanceof Map || e instanceof List)) {
          value = String.join(",", list.stream().map(String::valueOf).toList()); // a YAML list of scalars
        }
        if (Settings.STRUCTURED.contains(setting) && (value instanceof Map || value instanceof List)) {
          value = structuredText(value);
        }
        if (value instanceof Map || value instanceof List) {
          problems.add(setting.path() + " in " + source + " must be " + setting.expected() + ", got a "
              + (value instanceof Map ? "mapping" : "list"));
          continue;
        }
        raw = value == null ? "" : String.valueOf(value);
        origin = source.toString();
      } else {
        raw = setting.defaultValue();
        origin = "default";
      }
      try {
        values.put(setting, setting.parser().apply(raw));
        effective.add(new EffectiveSetting(setting.path(), shown(setting, raw, false), origin));
      } catch (IllegalArgumentException e) {
        String where = origin.startsWith("env ") ? origin.substring(4) : setting.path() + " in " + origin;
        if (Settings.STRUCTURED.contains(setting)) {
          problems.add(where + ": " + e.getMessage()); // the message names the rule and field; the text can be long
          continue;
        }
        String shown = shown(setting, raw, true);
        problems.add(where + " must be " + setting.expected() + ", got " + shown + " (" + e.getMessage() + ")");
      }
    }
    if (problems.isEmpty()) {
      crossCheck(values, problems);
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new ChainwatchConfig(
        get(values, Settings.CLUSTER_NAME),
        get(values, Settings.CILIUM_NAMESPACE),
        get(values, Settings.CILIUM_CONFIG_MAP),
        get(values, Settings.AGENT_SELECTOR),
        get(values, Settings.CHAINING_MODE),
        get(values, Settings.AGENT_NOT_READY_TAINT_KEY),
        get(values, Settings.HTTP_PORT),
        get(values, Settings.SWEEP_INTERVAL),
        get(values, Settings.BUS_QUEUE_CAPACITY),
        get(values, Settings.LOG_LEVEL),
        new MissedChainConfig(
            (Duration) get(values, Settings.MISSED_CHAIN_MIN_POD_AGE),
            (Duration) get(values, Settings.MISSED_CHAIN_AGENT_SETTLE)),
        new HostDetectorsConfig(
            get(values, Settings.RP_FILTER_ROUTING_MODE),
            get(values, Settings.PROBE_HEARTBEAT),
            get(values, Settings.DOCTOR_BASE_CNI)),
        new LeaderElectionConfig(
            get(values, Settings.LEADER_ELECTION_ENABLED),
            get(values, Settings.LEADER_ELECTION_NAMESPACE),
            get(values, Settings.LEADER_ELECTION_LEASE),
            get(values, Settings.LEADER_ELECTION_LEASE_DURATION),
            get(values, Settings.LEADER_ELECTION_RENEW_DEADLINE),
            get(values, Settings.LEADER_ELECTION_RETRY_PERIOD)),
        new RemediationConfig(
            get(values, Settings.REMEDIATION_MODE),
            get(values, Settings.REMEDIATION_EXCLUDED_NAMESPACES),
            get(values, Settings.REMEDIATION_POD_COOLDOWN),
            get(values, Settings.REMEDIATION_OWNER_COOLDOWN),
            get(values, Settings.REMEDIATION_MAX_ATTEMPTS_PER_OWNER),
            get(values, Settings.REMEDIATION_MAX_PER_MINUTE),
            new RemediationConfig.Breaker(
                get(values, Settings.REMEDIATION_BREAKER_WINDOW),
                get(values, Settings.REMEDIATION_BREAKER_MAX_PODS),
                get(values, Settings.REMEDIATION_BREAKER_MAX_NODE_SHARE),
                get(values, Settings.REMEDIATION_BREAKER_MIN_NODES),
                get(values, Settings.REMEDIATION_BREAKER_COOLDOWN)),
            get(values, Settings.REMEDIATION_VERIFY_TIMEOUT),
            get(values, Settings.REMEDIATION_BUDGET_RETRIES),
            get(values, Settings.REMEDIATION_BUDGET_BACKOFF),
            get(values, Settings.REMEDIATION_REQUEST_TIMEOUT),
            get(values, Settings.REMEDIATION_STATE_NAMESPACE),
            get(values, Settings.REMEDIATION_STATE_CONFIG_MAP),
            new RemediationConfig.RpFilterRepair(
                get(values, Settings.RP_FILTER_REPAIR_ENABLED),
                get(values, Settings.RP_FILTER_REPAIR_NODE_COOLDOWN),
                get(values, Settings.RP_FILTER_REPAIR_MAX_ATTEMPTS),
                get(values, Settings.RP_FILTER_REPAIR_MAX_NODES),
                get(values, Settings.RP_FILTER_REPAIR_TTL),
                get(values, Settings.RP_FILTER_REPAIR_KEY_FILE)),
            get(values, Settings.REMEDIATION_DETECTOR_MODES),
            get(values, Settings.REMEDIATION_APPROVAL_TIMEOUT)),
        new NotifiersConfig(
            new NotifiersConfig.Incidents(
                get(values, Settings.INCIDENTS_QUIET_PERIOD),
                get(values, Settings.INCIDENTS_FLAP_WINDOW),
                get(values, Settings.INCIDENTS_RENOTIFY_INTERVAL),
                get(values, Settings.INCIDENTS_STORM_THRESHOLD),
                get(values, Settings.INCIDENTS_STORM_WINDOW),
                get(values, Settings.INCIDENTS_SILENCES)),
            new NotifiersConfig.Kafka(
                get(values, Settings.KAFKA_BOOTSTRAP_SERVERS),
                get(values, Settings.KAFKA_AUDIT_TOPIC),
                get(values, Settings.KAFKA_PAGES_TOPIC),
                get(values, Settings.KAFKA_SPOOL_MAX_MEGABYTES) * 1024L * 1024L,
                get(values, Settings.KAFKA_DELIVERY_TIMEOUT),
                get(values, Settings.KAFKA_SECURITY_PROTOCOL),
                get(values, Settings.KAFKA_SASL_MECHANISM),
                get(values, Settings.KAFKA_SASL_USERNAME_FILE),
                get(values, Settings.KAFKA_SASL_PASSWORD_FILE),
                get(values, Settings.KAFKA_SSL_TRUSTSTORE_FILE),
                get(values, Settings.KAFKA_SSL_TRUSTSTORE_PASSWORD_FILE)),
            new NotifiersConfig.Slack(
                get(values, Settings.SLACK_TOKEN_FILE),
                get(values, Settings.SLACK_CHANNEL),
                get(values, Settings.SLACK_ONCALL_GROUP),
                get(values, Settings.SLACK_API_URL)),
            get(values, Settings.EVENTS_ENABLED),
            java.nio.file.Path.of(get(values, Settings.STATE_DIR))),
        effective,
        byPath(values));
  }

  private static Map<String, Object> byPath(Map<Setting<?>, Object> values) {
    Map<String, Object> byPath = new LinkedHashMap<>();
    values.forEach((setting, value) -> byPath.put(setting.path(), value));
    return byPath;
  }

  /** Problems that involve more than one setting. */
  /**
   * A value as logs and errors show it: secrets never; a {@code *File} setting whose value does not look like a path
   * is most likely the secret itself, put there by mistake, and is not shown either.
   */
  static String shown(Setting<?> setting, String raw, boolean quoted) {
    if (setting.secret()) {
      return "<redacted>";
    }
    if (setting.path().endsWith("File") && !raw.isEmpty() && !looksLikePath(raw)) {
      return "<redacted: not a file path; is the secret itself here by mistake?>";
    }
    return quoted ? "\"" + raw + "\"" : raw;
  }

  /** A file path as a person writes one: with a slash, no whitespace, not a Slack token. */
  public static boolean looksLikePath(String value) {
    return value.contains("/") && value.chars().noneMatch(Character::isWhitespace) && !value.startsWith("xox")
        && value.length() <= 4096;
  }

  private static void crossCheck(Map<Setting<?>, Object> values, List<String> problems) {
    if (get(values, Settings.RP_FILTER_REPAIR_ENABLED)
        && ((String) get(values, Settings.RP_FILTER_REPAIR_KEY_FILE)).isEmpty()) {
      problems.add("remediation.rpFilterRepair.keyFile (CHAINWATCH_REMEDIATION_RP_FILTER_REPAIR_KEY_FILE) is required "
          + "when remediation.rpFilterRepair.enabled is true: probes write only requests signed with that key");
    }
    Duration lease = get(values, Settings.LEADER_ELECTION_LEASE_DURATION);
    Duration renew = get(values, Settings.LEADER_ELECTION_RENEW_DEADLINE);
    Duration retry = get(values, Settings.LEADER_ELECTION_RETRY_PERIOD);
    if (renew.compareTo(lease) >= 0 || retry.compareTo(renew) >= 0) {
      problems.add("leaderElection durations must satisfy retryPeriod < renewDeadline < leaseDuration, got "
          + retry + " < " + renew + " < " + lease);
    }
    if (!get(values, Settings.SLACK_TOKEN_FILE).isEmpty() && get(values, Settings.SLACK_CHANNEL).isEmpty()) {
      problems.add("slack.channel (CHAINWATCH_SLACK_CHANNEL) is required when slack.tokenFile is set");
    }
    if (get(values, Settings.SLACK_TOKEN_FILE).isEmpty() && !get(values, Settings.SLACK_CHANNEL).isEmpty()) {
      // a channel alone used to mean "Slack off" without a word: the pages the operator expects never come
      problems.add("slack.channel is " + get(values, Settings.SLACK_CHANNEL) + " but slack.tokenFile "
          + "(CHAINWATCH_SLACK_TOKEN_FILE) is not set: Slack needs a bot token to post; set it, or unset "
          + "slack.channel to turn Slack off");
    }
    routingProblems(values, problems);
    boolean slackOn = !((String) get(values, Settings.SLACK_TOKEN_FILE)).isEmpty();
    boolean actionsOn = !((String) get(values, Settings.SLACK_APP_TOKEN_FILE)).isEmpty();
    if (actionsOn && !slackOn) {
      problems.add("slack.appTokenFile is set but slack.tokenFile is not: the buttons live on Slack messages");
    }
    if (actionsOn && ((String) get(values, Settings.SLACK_ACTIONS_GROUP)).isEmpty()) {
      problems.add("slack.actionsGroup (CHAINWATCH_SLACK_ACTIONS_GROUP) is required with slack.appTokenFile: only its "
          + "members may acknowledge, silence, approve or reject");
    }
    String globalMode = get(values, Settings.REMEDIATION_MODE);
    Map<String, String> modes = get(values, Settings.REMEDIATION_DETECTOR_MODES);
    if (!actionsOn && (RemediationConfig.APPROVE.equals(globalMode)
        || modes.containsValue(RemediationConfig.APPROVE))) {
      problems.add("remediation mode approve" + (RemediationConfig.APPROVE.equals(globalMode) ? "" : " (in "
          + "remediation.detectorModes " + modes + ")") + " needs the Slack actions: set slack.appTokenFile and "
          + "slack.actionsGroup, or use observe or enforce");
    }
    Duration approvalTimeout = get(values, Settings.REMEDIATION_APPROVAL_TIMEOUT);
    if (approvalTimeout.compareTo(Duration.ofHours(24)) > 0) {
      problems.add("remediation.approvalTimeout must be at most PT24H, got " + approvalTimeout
          + ": a click a day later acts on a cluster nobody looked at since");
    }
    String protocol = get(values, Settings.KAFKA_SECURITY_PROTOCOL);
    boolean sasl = protocol.startsWith("SASL_");
    if (!get(values, Settings.KAFKA_BOOTSTRAP_SERVERS).isEmpty() && sasl
        && (get(values, Settings.KAFKA_SASL_USERNAME_FILE).isEmpty()
            || get(values, Settings.KAFKA_SASL_PASSWORD_FILE).isEmpty())) {
      problems.add("kafka.saslUsernameFile and kafka.saslPasswordFile are required with kafka.securityProtocol "
          + protocol);
    }
  }

  /** Rules must send only where a channel is on: a rule naming PagerDuty while it is off would page nobody. */
  private static void routingProblems(Map<Setting<?>, Object> values, List<String> problems) {
    List<RoutingRule> rules = get(values, Settings.ROUTING_RULES);
    boolean slack = !((String) get(values, Settings.SLACK_TOKEN_FILE)).isEmpty();
    boolean pagerduty = !((String) get(values, Settings.PAGERDUTY_ROUTING_KEY_FILE)).isEmpty();
    boolean opsgenie = !((String) get(values, Settings.OPSGENIE_API_KEY_FILE)).isEmpty();
    for (int i = 0; i < rules.size(); i++) {
      RoutingRule rule = rules.get(i);
      String where = "routing.rules[" + i + "] \"" + rule.name() + "\"";
      if (rule.slackChannel() != null && !slack) {
        problems.add(where + " sends to Slack channel " + rule.slackChannel() + " but Slack is off (slack.tokenFile)");
      }
      if (rule.pagerdutyRoutingKeyFile() != null && !pagerduty) {
        problems.add(where + " sends to PagerDuty but PagerDuty is off (pagerduty.routingKeyFile)");
      }
      if (!rule.opsgenieResponders().isEmpty() && !opsgenie) {
        problems.add(where + " sends to Opsgenie but Opsgenie is off (opsgenie.apiKeyFile)");
      }
    }
  }

  /** A YAML structure as flow text (which is also how the environment variable carries it, as JSON). */
  private static String structuredText(Object value) {
    org.yaml.snakeyaml.DumperOptions options = new org.yaml.snakeyaml.DumperOptions();
    options.setDefaultFlowStyle(org.yaml.snakeyaml.DumperOptions.FlowStyle.FLOW);
    options.setDefaultScalarStyle(org.yaml.snakeyaml.DumperOptions.ScalarStyle.DOUBLE_QUOTED);
    options.setWidth(Integer.MAX_VALUE);
    return new Yaml(options).dump(value).trim();
  }

  @SuppressWarnings("unchecked")
  private static <T> T get(Map<Setting<?>, Object> values, Setting<T> setting) {
    return (T) values.get(setting);
  }

  private static Map<String, Object> readFile(Path file, List<Setting<?>> all, List<String> problems) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
          .toString();
    } catch (CharacterCodingException e) {
      problems.add("config file " + file + " is not valid UTF-8");
      return Map.of();
    } catch (IOException e) {
      problems.add("config file " + file + " cannot be read: " + e);
      return Map.of();
    }
    Object document;
    try (Reader reader = new java.io.StringReader(text)) {
      LoaderOptions options = new LoaderOptions();
      // a key written twice silently kept the last one (it once switched dry-run to enforce): refuse it instead
      options.setAllowDuplicateKeys(false);
      document = new Yaml(new SafeConstructor(options)).load(reader);
    } catch (YAMLException | IOException e) {
      problems.add("config file " + file + " is not valid YAML: " + e.getMessage().replace('\n', ' '));
      return Map.of();
    }
    if (document == null) {
      return Map.of();
    }
    if (!(document instanceof Map<?, ?> root)) {
      problems.add("config file " + file + " must hold a YAML mapping at the top, got " + describe(document));
      return Map.of();
    }
    Map<String, Object> flat = new LinkedHashMap<>();
    flatten("", root, flat, file, all, problems);
    return flat;
  }

  private static void flatten(String prefix, Map<?, ?> map, Map<String, Object> into, Path file,
      List<Setting<?>> all, List<String> problems) {
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      String path = prefix + entry.getKey();
      boolean isSetting = all.stream().anyMatch(s -> s.path().equals(path));
      boolean isSection = all.stream().anyMatch(s -> s.path().startsWith(path + "."));
      if (isSetting) {
        into.put(path, entry.getValue());
      } else if (isSection && entry.getValue() instanceof Map<?, ?> section) {
        flatten(path + ".", section, into, file, all, problems);
      } else if (isSection) {
        problems.add(path + " in " + file + " must be a mapping, got " + describe(entry.getValue()));
      } else {
        problems.add("unknown key " + path + " in " + file + " (known keys here: " + siblings(prefix, all) + ")");
      }
    }
  }

  private static String siblings(String prefix, List<Setting<?>> all) {
    TreeSet<String> names = new TreeSet<>();
    for (Setting<?> setting : all) {
      if (setting.path().startsWith(prefix)) {
        String rest = setting.path().substring(prefix.length());
        int dot = rest.indexOf('.');
        names.add(dot < 0 ? rest : rest.substring(0, dot));
      }
    }
    return String.join(", ", names);
  }

  private static String describe(Object value) {
    if (value instanceof Map) {
      return "a mapping";
    }
    if (value instanceof List) {
      return "a list";
    }
    return "\"" + value + "\"";
  }
}
