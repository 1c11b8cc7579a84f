package io.chainwatch.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/** Health and metrics over HTTP, as the chart's probes and Prometheus read them. */
class FleetHttpTest {
  private final HttpClient client = HttpClient.newHttpClient();

  private HttpResponse<String> get(FleetHttp http, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void readyOnlyWhileRunningAliveUnlessFailedAndTheFleetsCountersInPrometheusText() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    FleetTopology.Events events = FleetMain.metrics(registry);
    events.read();
    events.read();
    events.incident("opened");
    AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.REBALANCING);
    try (FleetHttp http = new FleetHttp(0, registry, state::get)) {
      assertThat(get(http, "/readyz").statusCode()).isEqualTo(503);
      assertThat(get(http, "/healthz").statusCode()).isEqualTo(200);
      state.set(KafkaStreams.State.RUNNING);
      assertThat(get(http, "/readyz").statusCode()).isEqualTo(200);
      state.set(KafkaStreams.State.ERROR);
      assertThat(get(http, "/healthz").statusCode()).isEqualTo(503);
      assertThat(get(http, "/healthz").body()).contains("ERROR");

      HttpResponse<String> metrics = get(http, "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).contains("chainwatch_fleet_audit_records_total 2.0")
          .contains("chainwatch_fleet_incidents_total{change=\"opened\"} 1.0")
          .contains("chainwatch_fleet_incidents_total{change=\"resolved\"} 0.0");
      assertThat(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/metrics"))
          .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString())
          .statusCode()).isEqualTo(405);
    }
  }

  @Test
  void aBadMetricsPortExitsTwoNamingIt() throws Exception {
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    int status = FleetMain.run(new String[] {"fleet"}, java.util.Map.of("CHAINWATCH_FLEET_BOOTSTRAP_SERVERS",
        "127.0.0.1:1", "CHAINWATCH_FLEET_METRICS_PORT", "http"), System.out,
        new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
    assertThat(status).isEqualTo(2);
    assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains("CHAINWATCH_FLEET_METRICS_PORT must be a port (1-65535, 0 for none), got \"http\"");
  }
}
