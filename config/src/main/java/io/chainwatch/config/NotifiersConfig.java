package io.chainwatch.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of incidents and of the three channels.
 *
 * @param incidents grouping, resolution, re-notification, silences and storms
 * @param kafka the audit log and pages topics; off when no bootstrap servers are set
 * @param slack pages to a channel; off when no token file is set
 * @param eventsEnabled write Kubernetes Events on affected pods and nodes
 * @param stateDir local state: the Kafka spool, open incidents and their Slack threads
 */
public record NotifiersConfig(Incidents incidents, Kafka kafka, Slack slack, boolean eventsEnabled,
    java.nio.file.Path stateDir) {
  public NotifiersConfig {
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(incidents, "incidents");
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(slack, "slack");
  }

  /**
   * Incident lifecycle.
   *
   * @param quietPeriod a finding gone this long resolves its incident
   * @param flapWindow a finding back within this after resolution reopens the same incident
   * @param renotifyInterval an unresolved critical incident is re-notified this often
   * @param stormThreshold more incidents than this opened within stormWindow become one digest
   * @param stormWindow the storm's counting window
   * @param silences configured silences
   */
  public record Incidents(Duration quietPeriod, Duration flapWindow, Duration renotifyInterval, int stormThreshold,
      Duration stormWindow, List<Silence> silences) {
    public Incidents {
      Objects.requireNonNull(quietPeriod, "quietPeriod");
      Objects.requireNonNull(flapWindow, "flapWindow");
      Objects.requireNonNull(renotifyInterval, "renotifyInterval");
      Objects.requireNonNull(stormWindow, "stormWindow");
      silences = List.copyOf(silences);
    }
  }

  /**
   * Kafka. Credentials are file paths (mounted from a Secret); their contents are read at start and never logged.
   *
   * @param bootstrapServers {@code host:port,...}; empty turns Kafka off
   * @param auditTopic every finding, decision, outcome and incident change
   * @param pagesTopic what should reach a person
   * @param spoolMaxBytes bound of the spool; near it chainwatch pages, beyond it records are dropped (counted)
   * @param deliveryTimeout the producer's delivery timeout; records not acknowledged by then are sent again
   * @param securityProtocol PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL
   * @param saslMechanism PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512
   * @param saslUsernameFile file holding the SASL user name
   * @param saslPasswordFile file holding the SASL password
   * @param sslTruststoreFile PEM or JKS truststore
   * @param sslTruststorePasswordFile file holding the truststore password (JKS)
   */
  public record Kafka(String bootstrapServers, String auditTopic, String pagesTopic, long spoolMaxBytes, Duration deliveryTimeout, String securityProtocol, String saslMechanism,
      String saslUsernameFile, String saslPasswordFile, String sslTruststoreFile, String sslTruststorePasswordFile) {
    public boolean enabled() {
      return !bootstrapServers.isEmpty();
    }
  }

  /**
   * Slack.
   *
   * @param tokenFile file holding the bot token (mounted from a Secret); empty turns Slack off
   * @param channel channel id or name for incident messages
   * @param oncallGroup user group id mentioned on critical pages (e.g. S0123ABCD); empty for none
   * @param apiUrl Web API base URL, ending with a slash
   */
  public record Slack(String tokenFile, String channel, String oncallGroup, String apiUrl) {
    public boolean enabled() {
      return !tokenFile.isEmpty();
    }
  }
}
