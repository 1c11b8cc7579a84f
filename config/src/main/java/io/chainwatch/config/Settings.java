package io.chainwatch.config;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/** Every configuration key chainwatch understands. README's configuration table is checked against this list. */
public final class Settings {
  public static final String CONFIG_FILE_ENV = "CHAINWATCH_CONFIG_FILE";

  public static final Setting<String> CLUSTER_NAME =
      new Setting<>("clusterName", "default", "a non-empty name such as prod-eu-1", Parsers::nonBlank,
          "Names this cluster in findings and pages.", false);
  public static final Setting<String> CILIUM_NAMESPACE =
      new Setting<>("ciliumNamespace", "kube-system", "a namespace name such as kube-system", Parsers::dnsLabel,
          "Namespace of the Cilium agent pods and the cilium-config ConfigMap.", false);
  public static final Setting<String> CILIUM_CONFIG_MAP =
      new Setting<>("ciliumConfigMap", "cilium-config", "a ConfigMap name such as cilium-config",
          Parsers::dnsSubdomain, "Name of Cilium's ConfigMap.", false);
  public static final Setting<LabelSelector> AGENT_SELECTOR =
      new Setting<>("agentSelector", "k8s-app=cilium", "one label as key=value, such as k8s-app=cilium",
          Parsers::labelPair, "Label that marks Cilium agent pods in ciliumNamespace.", false);
  public static final Setting<Integer> HTTP_PORT =
      new Setting<>("httpPort", "8080", "a TCP port from 0 to 65535 (0 picks a free port)",
          Parsers.integer(0, 65535), "Port of /healthz, /readyz and /metrics.", false);
  public static final Setting<Duration> SWEEP_INTERVAL =
      new Setting<>("sweepInterval", "PT5M", "an ISO-8601 duration of at least PT1S, such as PT5M",
          Parsers.duration(Duration.ofSeconds(1)),
          "How often every object is re-evaluated as a safety net behind event-driven evaluation.", false);
  public static final Setting<Integer> BUS_QUEUE_CAPACITY =
      new Setting<>("busQueueCapacity", "10000", "an integer from 100 to 10000000",
          Parsers.integer(100, 10_000_000),
          "Cluster changes allowed in flight to the evaluator; beyond it changes are dropped (counted) and a sweep "
              + "catches up.", false);
  public static final Setting<String> LOG_LEVEL =
      new Setting<>("logLevel", "info", "one of trace, debug, info, warn, error",
          Parsers.oneOf(Set.of("trace", "debug", "info", "warn", "error")), "Log level.", false);
  public static final Setting<Boolean> MISSED_CHAIN_ENABLED =
      new Setting<>("detectors.missed-cilium-chain.enabled", "true", "true or false", Parsers::bool,
          "Report pods that run without a CiliumEndpoint.", false);
  public static final Setting<Duration> MISSED_CHAIN_MIN_POD_AGE =
      new Setting<>("detectors.missed-cilium-chain.minPodAge", "PT30S",
          "an ISO-8601 duration such as PT30S", Parsers.duration(Duration.ZERO),
          "A pod must have run this long before a missing endpoint counts.", false);
  public static final Setting<Duration> MISSED_CHAIN_AGENT_SETTLE =
      new Setting<>("detectors.missed-cilium-chain.agentSettle", "PT30S",
          "an ISO-8601 duration such as PT30S", Parsers.duration(Duration.ZERO),
          "The node's Cilium agent must have been Ready this long (it syncs endpoints every 10 s).", false);

  public static final List<Setting<?>> ALL =
      List.of(
          CLUSTER_NAME,
          CILIUM_NAMESPACE,
          CILIUM_CONFIG_MAP,
          AGENT_SELECTOR,
          HTTP_PORT,
          SWEEP_INTERVAL,
          BUS_QUEUE_CAPACITY,
          LOG_LEVEL,
          MISSED_CHAIN_ENABLED,
          MISSED_CHAIN_MIN_POD_AGE,
          MISSED_CHAIN_AGENT_SETTLE);

  private Settings() {}
}
