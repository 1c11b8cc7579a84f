package io.chainwatch.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chainwatch.probe.HealthReading;
import io.chainwatch.probe.HostFacts;
import io.chainwatch.probe.NodeAnnotations;
import io.chainwatch.probe.NodeReport;
import io.chainwatch.probe.ReportPublisher;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Hosts whose facts the demo controls, reported through the real probe code ({@link ReportPublisher},
 * {@link NodeAnnotations}) to the demo's API server: a {@code systemd-sysctl} restart that resets lxc rp_filter, and
 * a node whose cilium-health cannot reach its own health endpoint.
 */
final class SimulatedHosts {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;
  private final Timeline timeline;
  private final NodeAnnotations annotations;
  private final Map<String, Host> hosts = new HashMap<>();

  /** One host: its rp_filter values and whether its health endpoint answers. */
  private static final class Host implements HostFacts {
    final String node;
    final Map<String, Integer> rpFilter = new HashMap<>(Map.of("all", 0, "default", 1, "eth0", 1, "cilium_host", 0,
        "cilium_net", 0, "lxc_health", 0, "lxc8f3a2c1d", 0, "lxc2b7e9f04", 0));
    boolean endpointReachable = true;
    ReportPublisher publisher;
    /** Reads this host's CNI directory with the probe's own reader; {@code null}: not reported. */
    io.chainwatch.probe.CniChainReader cni;

    Host(String node) {
      this.node = node;
    }

    @Override
    public String uplink() {
      return "eth0";
    }

    @Override
    public Map<String, Integer> rpFilter(String uplink, Map<String, String> problems) {
      return rpFilter;
    }

    @Override
    public Map<String, String> writeRpFilter(String uplink, Map<String, Integer> values) {
      Map<String, String> errors = new HashMap<>();
      values.forEach((iface, value) -> {
        if (rpFilter.containsKey(iface)) {
          rpFilter.put(iface, value);
        } else {
          errors.put(iface, "no such interface on this simulated host");
        }
      });
      return errors;
    }

    @Override
    public ObjectNode cni(Instant now) {
      return cni == null ? null : cni.read(now);
    }

    @Override
    public HealthReading health() {
      ObjectNode local = JSON.createObjectNode().put("name", "demo/" + node);
      ObjectNode address = local.putObject("health-endpoint").putObject("primary-address").put("ip", "172.16.9.2");
      if (endpointReachable) {
        address.putObject("icmp").put("latency", 81234);
        address.putObject("http").put("latency", 301234);
      } else {
        address.putObject("icmp").put("status", "Connection timed out");
        address.putObject("http").put("status", "Get \"http://172.16.9.2:4240/hello\": context deadline exceeded");
      }
      local.putObject("host").putObject("primary-address").put("ip", node).putObject("icmp").put("latency", 5000);
      return HealthReading.of((JsonNode) local);
    }
  }

  /** The key chainwatch signs repair requests with: the probes on these hosts mount the same Secret. */
  private final io.chainwatch.probe.RepairSignature repairKey;

  SimulatedHosts(KubernetesClient client, Timeline timeline, io.chainwatch.probe.RepairSignature repairKey)
      throws Exception {
    this.repairKey = repairKey;
    this.client = client;
    this.timeline = timeline;
    this.annotations = new NodeAnnotations(URI.create(client.getMasterUrl().toString()), null, null);
  }

  void overlayCiliumConfig() {
    client.configMaps().inNamespace("kube-system").resource(new ConfigMapBuilder().withNewMetadata()
        .withNamespace("kube-system").withName("cilium-config").endMetadata()
        .withData(Map.of("cni-chaining-mode", "generic-veth", "routing-mode", "tunnel", "tunnel-protocol", "vxlan",
            "kube-proxy-replacement", "true"))
        .build()).create();
    timeline.say("cluster", "cilium-config: Cilium chained (generic-veth) in overlay routing (tunnel), replacing "
        + "kube-proxy");
  }

  /**
   * A Ready node whose probe reports healthy facts and answers rp_filter repair requests; {@code optedOut} nodes
   * carry {@code chainwatch.io/remediation: disabled}, so chainwatch pages instead of repairing them.
   */
  void nodeWithProbe(String name, boolean optedOut) throws Exception {
    client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name)
        .withAnnotations(optedOut ? Map.of("chainwatch.io/remediation", "disabled") : Map.of()).endMetadata()
        .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build())
        .create();
    Host host = new Host(name);
    host.publisher = new ReportPublisher(name, host,
        (node, report) -> annotations.set(node, NodeReport.ANNOTATION, report), Duration.ofMinutes(5),
        Duration.ZERO, annotations::get, repairKey);
    hosts.put(name, host);
    report(name);
    timeline.say("probe", "node " + name + " joined; its chainwatch probe reports rp_filter and cilium-health");
  }

  /**
   * Starts the probe on a node that already exists (the race node), reporting its CNI directory {@code cniDir} through
   * the probe's own reader as well.
   */
  void probeOn(String name, java.nio.file.Path cniDir) throws Exception {
    Host host = new Host(name);
    host.cni = new io.chainwatch.probe.CniChainReader(cniDir);
    host.publisher = new ReportPublisher(name, host,
        (node, report) -> annotations.set(node, NodeReport.ANNOTATION, report), Duration.ofMinutes(5),
        Duration.ZERO, null, null);
    hosts.put(name, host);
    report(name);
  }

  /** A probe round on {@code name} now (the demo does not wait for the probes' rhythm). */
  void reportNow(String name) throws Exception {
    report(name);
  }

  synchronized void sysctlRestart(String name) throws Exception {
    Host host = hosts.get(name);
    host.rpFilter.replaceAll((iface, value) -> iface.startsWith("lxc") && !iface.equals("lxc_health") ? 1 : value);
    timeline.say("host", "systemd-sysctl restarted on " + name + ": OS defaults re-applied, lxc* rp_filter back to 1");
    report(name);
  }

  synchronized void healthEndpointUnreachable(String name) throws Exception {
    hosts.get(name).endpointReachable = false;
    timeline.say("cilium", "cilium-health on " + name + " cannot reach its local health endpoint (0/1)");
    report(name);
  }

  /** The probes' own rhythm: a round on every host each second (30 s by default), as their DaemonSet would. */
  java.util.concurrent.ScheduledExecutorService probeEverySecond() {
    java.util.concurrent.ScheduledExecutorService rounds = java.util.concurrent.Executors
        .newSingleThreadScheduledExecutor(runnable -> {
          Thread thread = new Thread(runnable, "demo-probes");
          thread.setDaemon(true);
          return thread;
        });
    rounds.scheduleWithFixedDelay(() -> {
      for (String name : List.copyOf(hosts.keySet())) {
        try {
          report(name);
        } catch (Exception e) {
          timeline.say("probe", name + ": round failed: " + e.getMessage());
        }
      }
    }, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
    return rounds;
  }

  private synchronized void report(String name) throws Exception {
    Host host = hosts.get(name);
    Map<String, Integer> before = Map.copyOf(host.rpFilter);
    ReportPublisher.Outcome outcome = host.publisher.round(Instant.now());
    if (!before.equals(host.rpFilter)) {
      timeline.say("probe", name + ": answered chainwatch's repair request, rp_filter now " + new TreeMap<>(
          host.rpFilter));
    }
    if (outcome == ReportPublisher.Outcome.WRITTEN) {
      timeline.say("probe", name + ": wrote chainwatch.io/node-report");
    }
  }
}
