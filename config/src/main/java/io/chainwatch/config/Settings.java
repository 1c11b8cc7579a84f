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
      new Setting<>("ciliumNamespace", "auto", "auto or a namespace name such as kube-system", Parsers::autoOrDnsLabel,
          "Namespace of the Cilium agent pods and cilium-config; auto finds them in any namespace (agent pods by "
              + "agentSelector, the agent DaemonSet by its chart labels, cilium-config by name).", false);
  public static final Setting<String> CHAINING_MODE =
      new Setting<>("chainingMode", "auto", "auto, none, or a cni-chaining-mode such as aws-cni or generic-veth",
          Parsers::autoOrToken, "auto reads cni-chaining-mode (and cni-chaining-target) from cilium-config; or pin it "
              + "(none: Cilium is the primary CNI).", false);
  public static final Setting<String> AGENT_NOT_READY_TAINT_KEY =
      new Setting<>("agentNotReadyTaintKey", "auto", "auto or a taint key such as node.cilium.io/agent-not-ready",
          Parsers::autoOrToken, "auto reads agent-not-ready-taint-key from cilium-config (default "
              + "node.cilium.io/agent-not-ready); or pin it.", false);
  public static final Setting<String> CILIUM_CONFIG_MAP =
      new Setting<>("ciliumConfigMap", "cilium-config", "a ConfigMap name such as cilium-config",
          Parsers::dnsSubdomain, "Name of Cilium's ConfigMap.", false);
  public static final Setting<LabelSelector> AGENT_SELECTOR =
      new Setting<>("agentSelector", "k8s-app=cilium", "one label as key=value, such as k8s-app=cilium",
          Parsers::labelPair, "Label that marks Cilium agent pods (in ciliumNamespace when pinned).", false);
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
  public static final Setting<String> LOG_FORMAT =
      new Setting<>("logging.format", "plain", "one of plain, json",
          Parsers.oneOf(Set.of("plain", "json")), "plain: one line per event for a person; json: one Elastic Common "
              + "Schema (ECS) JSON object per line, for log pipelines. Either way the configuration is logged one "
              + "setting per line and repeated reconnect failures fold into one line with a count.", false);
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

  public static final Setting<Boolean> RP_FILTER_ENABLED =
      new Setting<>("detectors.rp-filter-reset.enabled", "true", "true or false", Parsers::bool,
          "Report nodes whose rp_filter drops pod traffic (from the node probe's report).", false);
  public static final Setting<String> RP_FILTER_ROUTING_MODE =
      new Setting<>("detectors.rp-filter-reset.routingMode", "auto", "one of auto, native, tunnel",
          Parsers.oneOf(Set.of("auto", "native", "tunnel")),
          "auto reads routing-mode (or the older tunnel key) from cilium-config; native or tunnel pins it.", false);
  public static final Setting<Boolean> HEALTH_ENABLED =
      new Setting<>("detectors.cilium-health-local-endpoint.enabled", "true", "true or false", Parsers::bool,
          "Report nodes whose cilium-health cannot reach the local health endpoint (host to pod).", false);
  public static final Setting<Boolean> PROBE_SILENT_ENABLED =
      new Setting<>("detectors.probe-silent.enabled", "true", "true or false", Parsers::bool,
          "Report Ready nodes whose probe report is missing or stale: chainwatch is blind there.", false);
  public static final Setting<Duration> PROBE_HEARTBEAT =
      new Setting<>("detectors.probe-silent.heartbeat", "PT5M", "an ISO-8601 duration of at least PT10S",
          Parsers.duration(Duration.ofSeconds(10)),
          "The probe's heartbeat (CHAINWATCH_PROBE_HEARTBEAT); a report older than three is silent.", false);
  public static final Setting<Boolean> DOCTOR_ENABLED =
      new Setting<>("detectors.deployment-doctor.enabled", "true", "true or false", Parsers::bool,
          "Check the Cilium deployment against the field reports' known-bad configurations.", false);
  public static final Setting<String> DOCTOR_BASE_CNI =
      new Setting<>("detectors.deployment-doctor.baseCni", "auto", "one of auto, global-router, vpc-cni",
          Parsers.oneOf(Set.of("auto", "global-router", "vpc-cni")),
          "auto reads the base CNI from its agents' DaemonSets (tke-bridge-agent, tke-eni-ipamd); or pin it.", false);
  public static final Setting<Boolean> LEADER_ELECTION_ENABLED =
      new Setting<>("leaderElection.enabled", "false", "true or false", Parsers::bool,
          "Elect a leader with a Lease: only it remediates and notifies (required with more than one replica).",
          false);
  public static final Setting<String> LEADER_ELECTION_NAMESPACE =
      new Setting<>("leaderElection.namespace", "chainwatch", "a namespace name", Parsers::dnsLabel,
          "Namespace of the Lease (chainwatch's own).", false);
  public static final Setting<String> LEADER_ELECTION_LEASE =
      new Setting<>("leaderElection.leaseName", "chainwatch-leader", "a Lease name", Parsers::dnsSubdomain,
          "Name of the Lease.", false);
  public static final Setting<Duration> LEADER_ELECTION_LEASE_DURATION =
      new Setting<>("leaderElection.leaseDuration", "PT15S", "an ISO-8601 duration of at least PT2S",
          Parsers.duration(Duration.ofSeconds(2)), "How long a lease lasts without renewal.", false);
  public static final Setting<Duration> LEADER_ELECTION_RENEW_DEADLINE =
      new Setting<>("leaderElection.renewDeadline", "PT10S", "an ISO-8601 duration shorter than leaseDuration",
          Parsers.duration(Duration.ofSeconds(1)),
          "A leader that could not renew for this long stops writing (before its lease can expire).", false);
  public static final Setting<Duration> LEADER_ELECTION_RETRY_PERIOD =
      new Setting<>("leaderElection.retryPeriod", "PT2S", "an ISO-8601 duration shorter than renewDeadline",
          Parsers.duration(Duration.ofMillis(100)), "How often the lease is renewed or tried.", false);
  public static final Setting<String> REMEDIATION_MODE =
      new Setting<>("remediation.mode", "dry-run", "one of dry-run, approve, enforce",
          Parsers.oneOf(Set.of("dry-run", "approve", "enforce")),
          "enforce evicts; approve asks in Slack and acts on an approval, through the same rails; dry-run decides and "
              + "reports everything but makes no write.", false);
  public static final Setting<java.util.Map<String, String>> REMEDIATION_DETECTOR_MODES =
      new Setting<>("remediation.detectorModes", "", "comma-separated detector=mode with mode observe, approve or "
          + "enforce, such as endpoint-stuck=observe,missed-cilium-chain=approve (empty: every detector follows "
          + "remediation.mode)",
          Parsers::detectorModes, "Per-detector remediation mode, overriding remediation.mode for that detector's "
              + "findings: observe decides and reports without acting, approve acts on a person's click in Slack, "
              + "enforce acts; both through the same gate.", false);
  public static final Setting<List<String>> REMEDIATION_EXCLUDED_NAMESPACES =
      new Setting<>("remediation.excludedNamespaces", "kube-system",
          "comma-separated namespace names such as kube-system,monitoring (empty for none)",
          Parsers::dnsLabelList, "Pods here are never evicted: their findings page instead.", false);
  public static final Setting<Duration> REMEDIATION_POD_COOLDOWN =
      new Setting<>("remediation.podCooldown", "PT15M", "an ISO-8601 duration such as PT15M",
          Parsers.duration(Duration.ZERO), "After an eviction attempt, the same pod (namespace/name) waits this long.",
          false);
  public static final Setting<Duration> REMEDIATION_OWNER_COOLDOWN =
      new Setting<>("remediation.ownerCooldown", "PT10S", "an ISO-8601 duration such as PT10S",
          Parsers.duration(Duration.ZERO),
          "Pause between evictions of pods with the same owner (when no PodDisruptionBudget paces them).", false);
  public static final Setting<Integer> REMEDIATION_MAX_ATTEMPTS_PER_OWNER =
      new Setting<>("remediation.maxAttemptsPerOwnerPerHour", "5", "an integer from 1 to 1000",
          Parsers.integer(1, 1000), "Evictions of one owner's pods per hour; beyond it chainwatch pages.", false);
  public static final Setting<Integer> REMEDIATION_MAX_PER_MINUTE =
      new Setting<>("remediation.maxEvictionsPerMinute", "60", "an integer from 1 to 10000",
          Parsers.integer(1, 10_000), "Global limit: evictions in any 60-second window.", false);
  public static final Setting<Duration> REMEDIATION_BREAKER_WINDOW =
      new Setting<>("remediation.breaker.window", "PT10M", "an ISO-8601 duration of at least PT1S",
          Parsers.duration(Duration.ofSeconds(1)), "Window in which restart findings are counted for the breaker.",
          false);
  public static final Setting<Integer> REMEDIATION_BREAKER_MAX_PODS =
      new Setting<>("remediation.breaker.maxPods", "150", "an integer from 1 to 1000000",
          Parsers.integer(1, 1_000_000), "The breaker opens when more pods than this have restart findings in the "
              + "window.", false);
  public static final Setting<Double> REMEDIATION_BREAKER_MAX_NODE_SHARE =
      new Setting<>("remediation.breaker.maxNodeShare", "0.2", "a number from 0 to 1 such as 0.2",
          Parsers.fraction(0, 1), "The breaker opens when restart findings span more than this share of the "
              + "cluster's nodes (and at least breaker.minNodes nodes) in the window.", false);
  public static final Setting<Integer> REMEDIATION_BREAKER_MIN_NODES =
      new Setting<>("remediation.breaker.minNodes", "3", "an integer from 1 to 100000",
          Parsers.integer(1, 100_000), "The node-share limit applies only once this many nodes are affected, so one "
              + "new node in a small cluster never trips it.", false);
  public static final Setting<Duration> REMEDIATION_BREAKER_COOLDOWN =
      new Setting<>("remediation.breaker.cooldown", "PT1H", "an ISO-8601 duration of at least PT1M",
          Parsers.duration(Duration.ofMinutes(1)), "An open breaker closes by itself after this long (or when a "
              + "person resets it).", false);
  public static final Setting<Duration> REMEDIATION_VERIFY_TIMEOUT =
      new Setting<>("remediation.verifyTimeout", "PT3M", "an ISO-8601 duration of at least PT5S",
          Parsers.duration(Duration.ofSeconds(5)), "The replacement pod must run with its CiliumEndpoint within this; "
              + "otherwise chainwatch pages that the restart did not help.", false);
  public static final Setting<Integer> REMEDIATION_BUDGET_RETRIES =
      new Setting<>("remediation.budgetRetries", "5", "an integer from 0 to 100", Parsers.integer(0, 100),
          "Evictions refused by a PodDisruptionBudget (429) are retried this often, then chainwatch pages.", false);
  public static final Setting<Duration> REMEDIATION_BUDGET_BACKOFF =
      new Setting<>("remediation.budgetBackoff", "PT10S", "an ISO-8601 duration of at least PT1S",
          Parsers.duration(Duration.ofSeconds(1)), "First wait after a 429; it doubles with each retry (at most 10 "
              + "minutes).", false);
  public static final Setting<Duration> REMEDIATION_REQUEST_TIMEOUT =
      new Setting<>("remediation.requestTimeout", "PT10S", "an ISO-8601 duration of at least PT1S",
          Parsers.duration(Duration.ofSeconds(1)), "Bound on one eviction or state write request.", false);
  public static final Setting<String> REMEDIATION_STATE_NAMESPACE =
      new Setting<>("remediation.stateNamespace", "chainwatch", "a namespace name such as chainwatch",
          Parsers::dnsLabel, "Namespace of the ConfigMap that keeps remediation state across restarts.", false);
  public static final Setting<String> REMEDIATION_STATE_CONFIG_MAP =
      new Setting<>("remediation.stateConfigMap", "chainwatch-remediation-state", "a ConfigMap name",
          Parsers::dnsSubdomain, "ConfigMap that keeps cooldowns, attempts, the breaker and evictions in flight.",
          false);
  public static final Setting<Boolean> RP_FILTER_REPAIR_ENABLED =
      new Setting<>("remediation.rpFilterRepair.enabled", "false", "true or false", Parsers::bool,
          "Ask a node's probe to write rp_filter back when rp-filter-reset finds it wrong (the probe must run with "
              + "repair on and CAP_NET_ADMIN; the chart's rpFilterRepair.enabled sets both). Off: such findings page.",
          false);
  public static final Setting<Duration> RP_FILTER_REPAIR_NODE_COOLDOWN =
      new Setting<>("remediation.rpFilterRepair.nodeCooldown", "PT10M", "an ISO-8601 duration such as PT10M",
          Parsers.duration(Duration.ZERO), "After a repair request, the same node waits this long.", false);
  public static final Setting<Integer> RP_FILTER_REPAIR_MAX_ATTEMPTS =
      new Setting<>("remediation.rpFilterRepair.maxAttemptsPerNodePerHour", "3", "an integer from 1 to 100",
          Parsers.integer(1, 100), "Repair requests for one node per hour; beyond it chainwatch pages.", false);
  public static final Setting<Integer> RP_FILTER_REPAIR_MAX_NODES =
      new Setting<>("remediation.rpFilterRepair.maxNodesPerWindow", "10", "an integer from 1 to 100000",
          Parsers.integer(1, 100_000), "Nodes repaired within remediation.breaker.window; beyond it the change is "
              + "fleet-wide (an OS image, a config rollout) and chainwatch pages instead.", false);
  public static final Setting<Duration> RP_FILTER_REPAIR_TTL =
      new Setting<>("remediation.rpFilterRepair.requestTtl", "PT5M", "an ISO-8601 duration of at least PT30S",
          Parsers.duration(Duration.ofSeconds(30)), "A probe ignores a repair request older than this (a request "
              + "left while the probe was down is never applied late; probes refuse lifetimes over PT15M).", false);
  public static final Setting<String> RP_FILTER_REPAIR_KEY_FILE =
      new Setting<>("remediation.rpFilterRepair.keyFile", "", "a file path (required when repair is enabled)",
          Parsers::optional, "File holding the key that signs repair requests (a Secret only chainwatch and the "
              + "probe mount; at least 32 bytes): probes refuse requests without its signature.", false);

  public static final Setting<Duration> INCIDENTS_QUIET_PERIOD =
      new Setting<>("incidents.quietPeriod", "PT2M", "an ISO-8601 duration such as PT2M",
          Parsers.duration(Duration.ZERO), "A finding gone this long resolves its incident.", false);
  public static final Setting<Duration> INCIDENTS_FLAP_WINDOW =
      new Setting<>("incidents.flapWindow", "PT15M", "an ISO-8601 duration such as PT15M",
          Parsers.duration(Duration.ZERO), "A finding back within this after resolution reopens the same incident.",
          false);
  public static final Setting<Duration> INCIDENTS_RENOTIFY_INTERVAL =
      new Setting<>("incidents.renotifyInterval", "PT4H", "an ISO-8601 duration of at least PT1M",
          Parsers.duration(Duration.ofMinutes(1)), "An unresolved critical incident is re-notified this often.",
          false);
  public static final Setting<Integer> INCIDENTS_STORM_THRESHOLD =
      new Setting<>("incidents.stormThreshold", "10", "an integer from 1 to 10000", Parsers.integer(1, 10_000),
          "More incidents than this opened within stormWindow are sent as one digest.", false);
  public static final Setting<Duration> INCIDENTS_STORM_WINDOW =
      new Setting<>("incidents.stormWindow", "PT5M", "an ISO-8601 duration of at least PT1S",
          Parsers.duration(Duration.ofSeconds(1)), "Counting window for storms.", false);
  public static final Setting<List<Silence>> INCIDENTS_SILENCES =
      new Setting<>("incidents.silences", "",
          "comma-separated kind:name@time, kind node, namespace or detector, such as "
              + "node:10.0.0.11@2026-12-01T00:00:00Z",
          Parsers::silences, "Audited but not paged until the time.", false);
  public static final Setting<String> KAFKA_BOOTSTRAP_SERVERS =
      new Setting<>("kafka.bootstrapServers", "", "comma-separated host:port, or empty to turn Kafka off",
          Parsers::hostPorts, "Kafka brokers for the audit log and pages; empty turns Kafka off.", false);
  public static final Setting<String> KAFKA_AUDIT_TOPIC =
      new Setting<>("kafka.auditTopic", "chainwatch.audit", "a topic name", Parsers::nonBlank,
          "Every finding, decision, outcome and incident change.", false);
  public static final Setting<String> KAFKA_PAGES_TOPIC =
      new Setting<>("kafka.pagesTopic", "chainwatch.pages", "a topic name", Parsers::nonBlank,
          "What should reach a person.", false);
  public static final Setting<String> KAFKA_INVENTORY_TOPIC =
      new Setting<>("kafka.inventoryTopic", "", "a topic name such as chainwatch.inventory, or empty for none",
          Parsers::kafkaTopicOrEmpty, "Compacted topic of this cluster's nodes (key cluster/node: pool, OS image, kernel, kubelet, "
              + "Cilium version, whether its probe reports; a tombstone when it goes), so a fleet computes shares of "
              + "nodes, not only counts. Off by default: create the topic with cleanup.policy=compact first (a topic "
              + "that does not exist makes its records dead letters).", false);
  public static final Setting<String> STATE_DIR =
      new Setting<>("stateDir", "/var/lib/chainwatch", "a directory path", Parsers::nonBlank,
          "Local state: the Kafka spool (records wait there until acknowledged), open incidents and their Slack "
              + "threads, so a restart neither loses records nor posts a second root message.", false);
  public static final Setting<Integer> KAFKA_SPOOL_MAX_MEGABYTES =
      new Setting<>("kafka.spoolMaxMegabytes", "256", "an integer from 1 to 100000", Parsers.integer(1, 100_000),
          "Bound of the spool; at 80 % chainwatch pages, beyond it records are dropped (counted).", false);
  public static final Setting<Duration> KAFKA_DELIVERY_TIMEOUT =
      new Setting<>("kafka.deliveryTimeout", "PT2M", "an ISO-8601 duration of at least PT5S",
          Parsers.duration(Duration.ofSeconds(5)),
          "The producer's delivery timeout; records not acknowledged by then are sent again from the spool.", false);
  public static final Setting<String> KAFKA_SECURITY_PROTOCOL =
      new Setting<>("kafka.securityProtocol", "PLAINTEXT", "one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL",
          Parsers.oneOfExact(Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")), "Kafka security protocol.",
          false);
  public static final Setting<String> KAFKA_SASL_MECHANISM =
      new Setting<>("kafka.saslMechanism", "PLAIN", "one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512",
          Parsers.oneOfExact(Set.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")), "SASL mechanism.", false);
  public static final Setting<String> KAFKA_SASL_USERNAME_FILE =
      new Setting<>("kafka.saslUsernameFile", "", "a file path", Parsers::optional,
          "File holding the SASL user name (mounted from a Secret).", false);
  public static final Setting<String> KAFKA_SASL_PASSWORD_FILE =
      new Setting<>("kafka.saslPasswordFile", "", "a file path", Parsers::optional,
          "File holding the SASL password (mounted from a Secret; never logged).", false);
  public static final Setting<String> KAFKA_SSL_TRUSTSTORE_FILE =
      new Setting<>("kafka.sslTruststoreFile", "", "a file path", Parsers::optional,
          "Truststore (PEM or JKS) for SSL and SASL_SSL.", false);
  public static final Setting<String> KAFKA_SSL_TRUSTSTORE_PASSWORD_FILE =
      new Setting<>("kafka.sslTruststorePasswordFile", "", "a file path", Parsers::optional,
          "File holding the truststore password (JKS).", false);
  public static final Setting<String> SLACK_TOKEN_FILE =
      new Setting<>("slack.tokenFile", "", "a file path, or empty to turn Slack off", Parsers::optional,
          "File holding the Slack bot token (mounted from a Secret; never logged); empty turns Slack off.", false);
  public static final Setting<String> SLACK_CHANNEL =
      new Setting<>("slack.channel", "", "a channel id or name such as C0123ABCD or #oncall-network",
          Parsers::optional, "Channel for incident messages (required with slack.tokenFile).", false);
  public static final Setting<String> SLACK_ONCALL_GROUP =
      new Setting<>("slack.oncallGroup", "", "a user group id such as S0123ABCD, or empty", Parsers::optional,
          "User group mentioned on critical pages.", false);
  public static final Setting<String> SLACK_API_URL =
      new Setting<>("slack.apiUrl", "https://slack.com/api/", "an http(s) URL ending with /", Parsers::baseUrl,
          "Slack Web API base URL (change it only for a proxy or a test server).", false);
  public static final Setting<String> SLACK_APP_TOKEN_FILE =
      new Setting<>("slack.appTokenFile", "", "a file path, or empty for messages without buttons", Parsers::optional,
          "File holding the Slack app-level token (xapp-, connections:write) for Socket Mode: buttons to acknowledge, "
              + "silence, approve and reject; empty leaves messages without buttons (never logged).", false);
  public static final Setting<String> SLACK_ACTIONS_GROUP =
      new Setting<>("slack.actionsGroup", "", "a user group id such as S0123ABCD, or empty", Parsers::optional,
          "Only members of this Slack user group may acknowledge, silence, approve or reject (required with "
              + "slack.appTokenFile; checked against Slack, cached for a minute).", false);
  public static final Setting<java.time.Duration> REMEDIATION_APPROVAL_TIMEOUT =
      new Setting<>("remediation.approvalTimeout", "PT30M", "an ISO-8601 duration from PT1M to PT24H",
          Parsers.duration(java.time.Duration.ofMinutes(1)), "In mode approve, how long a planned action waits for "
              + "a click; unanswered, it expires and pages.", false);
  public static final Setting<String> PAGERDUTY_ROUTING_KEY_FILE =
      new Setting<>("pagerduty.routingKeyFile", "", "a file path, or empty to turn PagerDuty off", Parsers::optional,
          "File holding the PagerDuty Events API v2 routing (integration) key (mounted from a Secret; read at each "
              + "send, never logged or saved); empty turns PagerDuty off.", false);
  public static final Setting<String> PAGERDUTY_API_URL =
      new Setting<>("pagerduty.apiUrl", "https://events.pagerduty.com/v2/enqueue", "an http(s) URL",
          Parsers::httpUrl, "PagerDuty Events API v2 endpoint (change it only for the EU service region, "
              + "https://events.eu.pagerduty.com/v2/enqueue, a proxy or a test server).", false);
  public static final Setting<String> OPSGENIE_API_KEY_FILE =
      new Setting<>("opsgenie.apiKeyFile", "", "a file path, or empty to turn Opsgenie off", Parsers::optional,
          "File holding the Opsgenie API integration key (mounted from a Secret; read at each send, never logged or "
              + "saved); empty turns Opsgenie off.", false);
  public static final Setting<String> OPSGENIE_API_URL =
      new Setting<>("opsgenie.apiUrl", "https://api.opsgenie.com", "an http(s) URL", Parsers::httpUrl,
          "Opsgenie API base URL (https://api.eu.opsgenie.com for the EU instance, a proxy or a test server).", false);
  public static final Setting<String> OPSGENIE_TEAM =
      new Setting<>("opsgenie.team", "", "an Opsgenie team name, or empty", Parsers::optional,
          "Team new alerts are routed to as responder; empty leaves routing to the integration.", false);
  public static final Setting<List<RoutingRule>> ROUTING_RULES =
      new Setting<>("routing.rules", "", "a list of rules, each with name, match (namespaces, namespaceLabels, "
          + "nodePools, detectors, severities) and destinations (slackChannel, pagerdutyRoutingKeyFile, "
          + "opsgenieResponders) or quiet: true; YAML in the file, JSON in the environment variable",
          RoutingRule::parse, "Where incidents go: the first rule that matches decides every destination; incidents "
              + "no rule takes go to slack.channel, pagerduty.routingKeyFile and opsgenie.team.", false);
  public static final Setting<Boolean> EVENTS_ENABLED =
      new Setting<>("events.enabled", "true", "true or false", Parsers::bool,
          "Write Kubernetes Events (events.k8s.io/v1) on affected pods and nodes.", false);
  public static final Setting<Integer> EVENTS_MAX_PER_SECOND =
      new Setting<>("events.maxPerSecond", "10", "an integer from 1 to 1000", Parsers.integer(1, 1_000),
          "Kubernetes Events written per second at most (a burst of ten seconds' worth); in a storm the rest are "
              + "counted in chainwatch_events_rate_limited_total, and the audit log has every record.", false);
  public static final Setting<Boolean> NODE_CONDITIONS_ENABLED =
      new Setting<>("nodeConditions.enabled", "true", "true or false", Parsers::bool,
          "Set chainwatch's node verdicts as Node conditions (CiliumChainHealthy, RpFilterHealthy, ...) for other "
              + "controllers to act on.", false);
  public static final Setting<java.time.Duration> NODE_CONDITIONS_SETTLE =
      new Setting<>("nodeConditions.settle", "PT30S", "an ISO-8601 duration such as PT30S",
          Parsers.duration(java.time.Duration.ZERO), "After evaluation starts, how long before a condition is set "
              + "True (problems are set at once): a restarting chainwatch never clears what it has not judged.", false);

  public static final List<Setting<?>> ALL =
      List.of(
          CLUSTER_NAME,
          CILIUM_NAMESPACE,
          CILIUM_CONFIG_MAP,
          AGENT_SELECTOR,
          CHAINING_MODE,
          AGENT_NOT_READY_TAINT_KEY,
          HTTP_PORT,
          SWEEP_INTERVAL,
          BUS_QUEUE_CAPACITY,
          LOG_LEVEL,
          LOG_FORMAT,
          MISSED_CHAIN_ENABLED,
          MISSED_CHAIN_MIN_POD_AGE,
          MISSED_CHAIN_AGENT_SETTLE,
          RP_FILTER_ENABLED,
          RP_FILTER_ROUTING_MODE,
          HEALTH_ENABLED,
          PROBE_SILENT_ENABLED,
          PROBE_HEARTBEAT,
          DOCTOR_ENABLED,
          DOCTOR_BASE_CNI,
          LEADER_ELECTION_ENABLED,
          LEADER_ELECTION_NAMESPACE,
          LEADER_ELECTION_LEASE,
          LEADER_ELECTION_LEASE_DURATION,
          LEADER_ELECTION_RENEW_DEADLINE,
          LEADER_ELECTION_RETRY_PERIOD,
          REMEDIATION_MODE,
          REMEDIATION_DETECTOR_MODES,
          REMEDIATION_EXCLUDED_NAMESPACES,
          REMEDIATION_POD_COOLDOWN,
          REMEDIATION_OWNER_COOLDOWN,
          REMEDIATION_MAX_ATTEMPTS_PER_OWNER,
          REMEDIATION_MAX_PER_MINUTE,
          REMEDIATION_BREAKER_WINDOW,
          REMEDIATION_BREAKER_MAX_PODS,
          REMEDIATION_BREAKER_MAX_NODE_SHARE,
          REMEDIATION_BREAKER_MIN_NODES,
          RP_FILTER_REPAIR_ENABLED,
          RP_FILTER_REPAIR_NODE_COOLDOWN,
          RP_FILTER_REPAIR_MAX_ATTEMPTS,
          RP_FILTER_REPAIR_MAX_NODES,
          RP_FILTER_REPAIR_TTL,
          RP_FILTER_REPAIR_KEY_FILE,
          REMEDIATION_BREAKER_COOLDOWN,
          REMEDIATION_VERIFY_TIMEOUT,
          REMEDIATION_BUDGET_RETRIES,
          REMEDIATION_BUDGET_BACKOFF,
          REMEDIATION_REQUEST_TIMEOUT,
          REMEDIATION_STATE_NAMESPACE,
          REMEDIATION_STATE_CONFIG_MAP,
          INCIDENTS_QUIET_PERIOD,
          INCIDENTS_FLAP_WINDOW,
          INCIDENTS_RENOTIFY_INTERVAL,
          INCIDENTS_STORM_THRESHOLD,
          INCIDENTS_STORM_WINDOW,
          INCIDENTS_SILENCES,
          KAFKA_BOOTSTRAP_SERVERS,
          KAFKA_AUDIT_TOPIC,
          KAFKA_INVENTORY_TOPIC,
          KAFKA_PAGES_TOPIC,
          STATE_DIR,
          KAFKA_SPOOL_MAX_MEGABYTES,
          KAFKA_DELIVERY_TIMEOUT,
          KAFKA_SECURITY_PROTOCOL,
          KAFKA_SASL_MECHANISM,
          KAFKA_SASL_USERNAME_FILE,
          KAFKA_SASL_PASSWORD_FILE,
          KAFKA_SSL_TRUSTSTORE_FILE,
          KAFKA_SSL_TRUSTSTORE_PASSWORD_FILE,
          SLACK_TOKEN_FILE,
          SLACK_CHANNEL,
          SLACK_ONCALL_GROUP,
          SLACK_API_URL,
          EVENTS_ENABLED,
          EVENTS_MAX_PER_SECOND,
          PAGERDUTY_ROUTING_KEY_FILE,
          PAGERDUTY_API_URL,
          OPSGENIE_API_KEY_FILE,
          OPSGENIE_API_URL,
          OPSGENIE_TEAM,
          ROUTING_RULES,
          SLACK_APP_TOKEN_FILE,
          SLACK_ACTIONS_GROUP,
          REMEDIATION_APPROVAL_TIMEOUT,
          NODE_CONDITIONS_ENABLED,
          NODE_CONDITIONS_SETTLE);

  /** Settings whose YAML value may be a list of scalars (same as the comma-separated text). */
  static final Set<Setting<?>> LIST_VALUED = Set.of(REMEDIATION_EXCLUDED_NAMESPACES, INCIDENTS_SILENCES);
  /** Settings whose value is a YAML structure in the file (passed to the parser as JSON text, as the env holds it). */
  /** Settings whose value is YAML structure (a list of rules), not one scalar. */
  public static final Set<Setting<?>> STRUCTURED = Set.of(ROUTING_RULES);

  private Settings() {}
}
