package io.chainwatch.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The validated configuration of one chainwatch process. Build it with {@link ConfigLoader}.
 *
 * @param clusterName names the cluster in findings
 * @param ciliumNamespace namespace of the agent pods and cilium-config, {@code auto} to find it
 * @param ciliumConfigMap name of cilium-config
 * @param agentSelector label of the agent pods
 * @param chainingMode {@code auto} (from cilium-config), {@code none}, or a pinned chaining mode
 * @param agentNotReadyTaintKey {@code auto} (from cilium-config) or a pinned taint key
 * @param httpPort port of the health and metrics server
 * @param sweepInterval period of the full re-evaluation
 * @param busQueueCapacity cluster changes in flight before dropping
 * @param logLevel log level
 * @param missedChain the missed-chain detector's settings
 * @param hostDetectors the settings of the detectors that read the node probe's reports
 * @param leaderElection the Lease that decides which replica writes
 * @param remediation the remediation rails
 * @param notifiers incidents, Kafka, Slack and Kubernetes Events
 * @param effective every setting with its value and where it came from, for the start-up log
 * @param values every setting's value by path, including those declared outside {@link Settings#ALL}
 */
public record ChainwatchConfig(
    String clusterName,
    String ciliumNamespace,
    String ciliumConfigMap,
    LabelSelector agentSelector,
    String chainingMode,
    String agentNotReadyTaintKey,
    int httpPort,
    Duration sweepInterval,
    int busQueueCapacity,
    String logLevel,
    MissedChainConfig missedChain,
    HostDetectorsConfig hostDetectors,
    LeaderElectionConfig leaderElection,
    RemediationConfig remediation,
    NotifiersConfig notifiers,
    List<EffectiveSetting> effective,
    Map<String, Object> values) {
  public ChainwatchConfig(String clusterName, String ciliumNamespace, String ciliumConfigMap,
      LabelSelector agentSelector, String chainingMode, String agentNotReadyTaintKey, int httpPort,
      Duration sweepInterval, int busQueueCapacity, String logLevel, MissedChainConfig missedChain,
      HostDetectorsConfig hostDetectors, LeaderElectionConfig leaderElection, RemediationConfig remediation,
      NotifiersConfig notifiers, List<EffectiveSetting> effective) {
    this(clusterName, ciliumNamespace, ciliumConfigMap, agentSelector, chainingMode, agentNotReadyTaintKey, httpPort,
        sweepInterval, busQueueCapacity, logLevel, missedChain, hostDetectors, leaderElection, remediation,
        notifiers, effective, Map.of());
  }

  public ChainwatchConfig {
    Objects.requireNonNull(clusterName, "clusterName");
    Objects.requireNonNull(missedChain, "missedChain");
    Objects.requireNonNull(hostDetectors, "hostDetectors");
    Objects.requireNonNull(leaderElection, "leaderElection");
    Objects.requireNonNull(remediation, "remediation");
    Objects.requireNonNull(notifiers, "notifiers");
    effective = List.copyOf(effective);
    values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
  }

  /**
   * The value of any setting, by its declaration: those of {@link Settings#ALL} and those declared elsewhere (each
   * detector's own). A configuration built without it (assembled by a test) gives its default.
   */
  @SuppressWarnings("unchecked")
  public <T> T value(Setting<T> setting) {
    Object value = values.get(setting.path());
    return value != null ? (T) value : setting.parser().apply(setting.defaultValue());
  }

  /** The configuration with every default and no file or environment. */
  public static ChainwatchConfig defaults() {
    return ConfigLoader.load(null, java.util.Map.of());
  }

  /** One line per setting, {@code key = value (source)}, secrets redacted. */
  public String describe() {
    StringBuilder text = new StringBuilder();
    for (EffectiveSetting setting : effective) {
      text.append("  ").append(setting.path()).append(" = ").append(setting.displayValue())
          .append("  (").append(setting.source()).append(")\n");
    }
    return text.toString();
  }

  /**
   * A setting's effective value.
   *
   * @param path YAML path
   * @param displayValue value as text, {@code <redacted>} for secrets
   * @param source {@code default}, the file, or the environment variable
   */
  public record EffectiveSetting(String path, String displayValue, String source) {}
}
