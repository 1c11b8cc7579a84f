package io.chainwatch.fleet;

import io.chainwatch.config.NotifiersConfig;
import io.chainwatch.config.Parsers;
import io.chainwatch.model.Incident;
import io.chainwatch.model.IncidentChange;
import io.chainwatch.model.Severity;
import io.chainwatch.notifier.alert.AlertOutbox;
import io.chainwatch.notifier.incident.DetectorTexts;
import io.chainwatch.notifier.opsgenie.OpsgenieNotifier;
import io.chainwatch.notifier.pagerduty.PagerDutyNotifier;
import io.chainwatch.notifier.slack.SlackNotifier;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fleet incidents to people through chainwatch's own notifiers: the Slack notifier (one root message per fleet
 * incident, edited as clusters join, resolved in its thread), PagerDuty (dedup key = the fleet incident) and Opsgenie
 * (alias = the fleet incident). It reads the fleet topic with {@code read_committed} in its own consumer group and
 * commits after handing each batch to the notifiers, whose outboxes retry and survive restarts; a crash between the
 * two repeats a change, which the notifiers absorb (the same root message is edited, the same alert re-triggered).
 */
public final class FleetPagers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FleetPagers.class);
  private static final int MAX_VALUE_CHARS = 1_048_576;
  private static final int MAX_LISTED = 20;

  /**
   * Where fleet incidents go, from {@code CHAINWATCH_FLEET_SLACK_*}, {@code CHAINWATCH_FLEET_PAGERDUTY_*} and
   * {@code CHAINWATCH_FLEET_OPSGENIE_*}; each is off while its credential file is not set.
   */
  public record Config(NotifiersConfig.Slack slack, String pagerDutyRoutingKeyFile, URI pagerDutyUrl,
      String opsgenieApiKeyFile, URI opsgenieUrl, String opsgenieTeam) {
    public boolean any() {
      return slack.enabled() || !pagerDutyRoutingKeyFile.isEmpty() || !opsgenieApiKeyFile.isEmpty();
    }

    public static Config fromEnv(Map<String, String> env) {
      String slackToken = env.getOrDefault("CHAINWATCH_FLEET_SLACK_TOKEN_FILE", "").trim();
      String channel = env.getOrDefault("CHAINWATCH_FLEET_SLACK_CHANNEL", "").trim();
      if (!slackToken.isEmpty() && channel.isEmpty()) {
        throw new IllegalArgumentException("CHAINWATCH_FLEET_SLACK_CHANNEL must name the channel for fleet incidents "
            + "when CHAINWATCH_FLEET_SLACK_TOKEN_FILE is set, got nothing");
      }
      if (slackToken.isEmpty() && !channel.isEmpty()) {
        throw new IllegalArgumentException("CHAINWATCH_FLEET_SLACK_TOKEN_FILE must name the bot token's file when "
            + "CHAINWATCH_FLEET_SLACK_CHANNEL is set (\"" + channel + "\"), got nothing");
      }
      return new Config(
          new NotifiersConfig.Slack(slackToken, channel, env.getOrDefault("CHAINWATCH_FLEET_SLACK_ONCALL_GROUP", "")
              .trim(), FleetEnv.read(env, "CHAINWATCH_FLEET_SLACK_API_URL", "https://slack.com/api/",
                  Parsers::baseUrl, "an http(s) URL (it must end with /)")),
          env.getOrDefault("CHAINWATCH_FLEET_PAGERDUTY_ROUTING_KEY_FILE", "").trim(),
          FleetEnv.read(env, "CHAINWATCH_FLEET_PAGERDUTY_API_URL", "https://events.pagerduty.com/v2/enqueue",
              raw -> URI.create(Parsers.httpUrl(raw)), "an http(s) URL"),
          env.getOrDefault("CHAINWATCH_FLEET_OPSGENIE_API_KEY_FILE", "").trim(),
          FleetEnv.read(env, "CHAINWATCH_FLEET_OPSGENIE_API_URL", "https://api.opsgenie.com",
              raw -> URI.create(Parsers.httpUrl(raw)), "an http(s) URL"),
          env.getOrDefault("CHAINWATCH_FLEET_OPSGENIE_TEAM", "").trim());
    }
  }

  private final List<Consumer<IncidentChange>> deliveries = new ArrayList<>();
  private final List<AutoCloseable> notifiers = new ArrayList<>();
  private final KafkaConsumer<String, String> consumer;
  private final Thread worker;
  private volatile boolean running = true;

  /**
   * Starts the configured notifiers (their state under {@code stateDir}) and the reader of {@code fleetTopic}.
   *
   * @param consumerProperties the Kafka client settings (bootstrap servers, security) the correlator uses too
   */
  public FleetPagers(Config config, Path stateDir, String fleetTopic, String groupId, Properties consumerProperties,
      AlertOutbox.Timing alertTiming, SlackNotifier.Timing slackTiming) throws IOException {
    java.nio.file.Files.createDirectories(stateDir);
    if (config.slack().enabled()) {
      SlackNotifier slack = new SlackNotifier(config.slack(), stateDir.resolve("slack-threads.json"), slackTiming,
          DetectorTexts.own());
      slack.start();
      notifiers.add(slack);
      deliveries.add(slack::deliver);
    }
    if (!config.pagerDutyRoutingKeyFile().isEmpty()) {
      PagerDutyNotifier pagerDuty = new PagerDutyNotifier(config.pagerDutyUrl(),
          Path.of(config.pagerDutyRoutingKeyFile()), stateDir.resolve("pagerduty.json"), alertTiming);
      pagerDuty.start();
      notifiers.add(pagerDuty);
      deliveries.add(pagerDuty::deliver);
    }
    if (!config.opsgenieApiKeyFile().isEmpty()) {
      OpsgenieNotifier opsgenie = new OpsgenieNotifier(config.opsgenieUrl(), Path.of(config.opsgenieApiKeyFile()),
          config.opsgenieTeam(), stateDir.resolve("opsgenie.json"), alertTiming);
      opsgenie.start();
      notifiers.add(opsgenie);
      deliveries.add(opsgenie::deliver);
    }
    Properties properties = new Properties();
    properties.putAll(consumerProperties);
    properties.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
    consumer = new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer());
    consumer.subscribe(List.of(fleetTopic));
    worker = new Thread(this::work, "chainwatch-fleet-pagers");
    worker.setDaemon(true);
    worker.start();
  }

  private void work() {
    try {
      while (running) {
        try {
          var records = consumer.poll(Duration.ofMillis(500));
          for (ConsumerRecord<String, String> record : records) {
            Optional<IncidentChange> change = change(record.value());
            if (change.isEmpty()) {
              LOG.warn("fleet topic partition {} offset {}: not a fleet incident record, skipped", record.partition(),
                  record.offset());
              continue;
            }
            for (Consumer<IncidentChange> deliver : deliveries) {
              try {
                deliver.accept(change.get());
              } catch (RuntimeException e) {
                LOG.error("fleet incident {}: a notifier refused it", change.get().incident().id(), e);
              }
            }
          }
          if (!records.isEmpty()) {
            consumer.commitSync();
          }
        } catch (WakeupException e) {
          throw e;
        } catch (RuntimeException e) {
          // the broker away, a rebalance during the commit, credentials refused: what was not committed is read
          // again; try again in a while instead of leaving fleet incidents unread for good
          LOG.warn("fleet pagers: reading the fleet topic failed, retrying in 5 s: {}", e.toString());
          java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.SECONDS.toNanos(5));
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  /**
   * The incident change a fleet incident record is for a person, or empty when it is not one. The incident's id is
   * {@code fleet-<id>} and its cluster {@code fleet}, so it never collides with a cluster's own.
   */
  static Optional<IncidentChange> change(String value) {
    if (value == null || value.length() > MAX_VALUE_CHARS) {
      return Optional.empty();
    }
    try {
      JsonObject event = new JsonObject(value);
      JsonObject data = event.getJsonObject("data");
      if (!FleetTopology.FLEET_INCIDENT.equals(event.getString("type")) || data == null
          || data.getString("incident") == null || data.getString("change") == null) {
        return Optional.empty();
      }
      return Optional.of(change(data, Instant.parse(event.getString("time"))));
    } catch (DecodeException | ClassCastException | NullPointerException | IllegalArgumentException
        | java.time.format.DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static IncidentChange change(JsonObject data, Instant at) {
    List<String> clusters = strings(data.getJsonArray("clusters"));
    List<String> linked = strings(data.getJsonArray("linkedIncidents"));
    String detector = data.getString("detector");
    String dimension = data.getString("dimension");
    String change = data.getString("change");
    boolean resolved = "resolved".equals(change);
    Severity severity = "critical".equals(data.getString("severity")) ? Severity.CRITICAL : Severity.WARNING;
    int nodes = data.getInteger("nodes", 0);
    String share = data.getLong("dimensionNodes") == null ? ""
        : ", " + data.getValue("sharePercent") + " % of the fleet's " + data.getLong("dimensionNodes") + " "
            + dimension + " nodes";
    String title = "Fleet: " + detector + " in " + clusters.size() + (clusters.size() == 1 ? " cluster" : " clusters")
        + " (" + dimension + ")";
    String summary = "One cause, " + data.getString("cause") + ", is open in " + String.join(", ", clusters) + ": "
        + data.getInteger("openFindings", 0) + " findings on " + nodes + (nodes == 1 ? " node" : " nodes") + share
        + ".";
    List<String> cause = new ArrayList<>();
    cause.add("cause: " + data.getString("cause"));
    cause.add("rules: " + String.join(", ", strings(data.getJsonArray("rules"))));
    cause.add("clusters: " + String.join(", ", clusters));
    cause.add("nodes: " + nodes + share.replaceFirst("^, ", " (") + (share.isEmpty() ? "" : ")"));
    int linkedCount = Math.max(linked.size(), data.getInteger("linkedIncidentCount", 0));
    cause.add("linked incidents: " + String.join(", ", linked.subList(0, Math.min(MAX_LISTED, linked.size())))
        + (linkedCount > MAX_LISTED ? " and " + (linkedCount - MAX_LISTED) + " more" : ""));
    Instant since = data.getString("since") == null ? at : Instant.parse(data.getString("since"));
    Incident incident = new Incident("fleet-" + data.getString("incident"), "fleet:" + data.getString("cause"),
        detector, "fleet", severity, resolved ? Incident.State.RESOLVED : Incident.State.ESCALATED, title, null,
        clusters.stream().map(c -> "Cluster//" + c).toList(), data.getInteger("openFindings", 0), summary, cause,
        "None: each cluster's chainwatch handles its own nodes; the fleet incident is for the cause they share.",
        resolved ? null : "One cause across clusters: fix it where it comes from (the " + dimension.split("=", 2)[0]
            + ", not node by node).", false, since, at, resolved ? at : null);
    IncidentChange.Kind kind = switch (change) {
      case "opened" -> IncidentChange.Kind.OPENED;
      case "resolved" -> IncidentChange.Kind.RESOLVED;
      default -> IncidentChange.Kind.UPDATED;
    };
    String text = switch (kind) {
      case OPENED -> "Opened: " + summary;
      case RESOLVED -> "Resolved: fewer than the rules need remain (" + String.join(", ", clusters) + ").";
      default -> "Now in " + String.join(", ", clusters) + "; " + nodes + (nodes == 1 ? " node" : " nodes") + share
          + ".";
    };
    return new IncidentChange(incident, kind, text, true, !resolved && severity == Severity.CRITICAL, List.of(), at);
  }

  private static List<String> strings(JsonArray array) {
    List<String> strings = new ArrayList<>();
    if (array != null) {
      array.forEach(item -> strings.add(String.valueOf(item)));
    }
    return strings;
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      worker.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (AutoCloseable notifier : notifiers) {
      try {
        notifier.close();
      } catch (Exception e) {
        LOG.warn("closing {}: {}", notifier.getClass().getSimpleName(), e.toString());
      }
    }
  }
}
