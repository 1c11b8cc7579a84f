package io.chainwatch.deploy;

import static io.chainwatch.deploy.Chart.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chainwatch.config.ConfigLoader;
import io.chainwatch.probe.NodeAnnotations;
import io.chainwatch.watcher.Chainwatch;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RBAC proven rather than claimed: chainwatch (every feature that writes turned on, rp_filter repair included) and
 * the probe run against the mock API server; every request they make is recorded and must be allowed by the chart's
 * rules for its service account, and every rule the chart grants must have been used.
 */
@Tag("slow")
@EnableKubernetesMockClient(crud = true, https = false)
class RbacByTestMockServerTest {
  private static final String CHAINWATCH_AGENT = "chainwatch-rbac-test";
  KubernetesClient client;
  KubernetesMockServer server;
  @TempDir Path dir;

  /**
   * One API request as RBAC sees it; {@code name} is the object named in the path or, for list and watch, by a
   * {@code metadata.name} field selector (what RBAC's resourceNames can restrict), else {@code null}.
   */
  record Access(String verb, String group, String resource, String namespace, String name) {
    @Override
    public String toString() {
      return verb + " " + (group.isEmpty() ? "core" : group) + "/" + resource
          + (namespace == null ? "" : " in " + namespace) + (name == null ? "" : " named " + name);
    }
  }

  static Access access(String method, String rawPath) {
    String path = rawPath.split("\\?")[0];
    String query = rawPath.contains("?") ? rawPath.substring(rawPath.indexOf('?')) : "";
    List<String> parts = new ArrayList<>(List.of(path.replaceFirst("^/", "").split("/")));
    String group;
    if (parts.get(0).equals("api")) {
      group = "";
      parts = parts.subList(2, parts.size());
    } else {
      group = parts.get(1);
      parts = parts.subList(3, parts.size());
    }
    String namespace = null;
    if (parts.size() >= 3 && parts.get(0).equals("namespaces")) {
      namespace = parts.get(1);
      parts = parts.subList(2, parts.size());
    }
    String resource = parts.get(0) + (parts.size() > 2 ? "/" + parts.get(2) : "");
    boolean named = parts.size() > 1;
    String name = named ? parts.get(1) : null;
    java.util.regex.Matcher selector = java.util.regex.Pattern.compile("fieldSelector=metadata\\.name(?:%3D|=)([^&]+)")
        .matcher(query);
    if (!named && selector.find()) {
      name = java.net.URLDecoder.decode(selector.group(1), java.nio.charset.StandardCharsets.UTF_8);
    }
    String verb = switch (method) {
      case "GET" -> named ? "get" : query.contains("watch=true") ? "watch" : "list";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> named ? "delete" : "deletecollection";
      default -> method.toLowerCase();
    };
    return new Access(verb, group, resource, namespace, name);
  }

  @Test
  void theChartAllowsEveryRequestChainwatchMakesAndNothingMore() throws Exception {
    Instant agentReady = Instant.now().minusSeconds(600);
    client.getConfiguration().setRequestRetryBackoffLimit(0);
    client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-1").endMetadata().withNewStatus()
        .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build()).create();
    client.pods().resource(new PodBuilder().withNewMetadata().withNamespace("kube-system").withName("cilium-a")
        .withUid("cilium-a-uid").addToLabels("k8s-app", "cilium").endMetadata().withNewSpec().withNodeName("node-1")
        .withHostNetwork(true).endSpec().withNewStatus().withPhase("Running").withStartTime(agentReady.toString())
        .addNewCondition().withType("Ready").withStatus("True").withLastTransitionTime(agentReady.toString())
        .endCondition().endStatus().build()).create();
    client.configMaps().resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata()
        .withNamespace("kube-system").withName("cilium-config").endMetadata()
        .withData(Map.of("routing-mode", "tunnel")).build()).create();
    server.expect().post().withPath("/api/v1/namespaces/shop/pods/racer/eviction")
        .andReturn(201, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Success\",\"code\":201}").always();
    while (server.takeRequest(10, TimeUnit.MILLISECONDS) != null) {
      // the test's own setup is not chainwatch's
    }
    KubernetesClient chainwatchClient = new KubernetesClientBuilder().withConfig(new ConfigBuilder(
        client.getConfiguration()).withUserAgent(CHAINWATCH_AGENT).build()).build();
    Chainwatch chainwatch = Chainwatch.start(ConfigLoader.load(null, Map.of(
        "CHAINWATCH_HTTP_PORT", "0",
        "CHAINWATCH_REMEDIATION_MODE", "enforce",
        "CHAINWATCH_REMEDIATION_RP_FILTER_REPAIR_ENABLED", "true",
        "CHAINWATCH_REMEDIATION_RP_FILTER_REPAIR_KEY_FILE", java.nio.file.Files.writeString(dir.resolve("repair-key"),
            "0123456789abcdef0123456789abcdef-rbac").toString(),
        "CHAINWATCH_STATE_DIR", dir.toString(),
        "CHAINWATCH_LEADER_ELECTION_ENABLED", "true",
        "CHAINWATCH_LEADER_ELECTION_LEASE_DURATION", "PT4S",
        "CHAINWATCH_LEADER_ELECTION_RENEW_DEADLINE", "PT3S",
        "CHAINWATCH_LEADER_ELECTION_RETRY_PERIOD", "PT0.5S")), chainwatchClient, Clock.systemUTC(),
        new PrintStream(OutputStream.nullOutputStream()));
    try {
      await().atMost(Duration.ofSeconds(15)).until(() -> chainwatch.ready() && chainwatch.leading());
      client.pods().resource(new PodBuilder().withNewMetadata().withNamespace("shop").withName("racer")
          .withUid("racer-uid").addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet")
          .withName("racer-rs").withUid("rs-uid").withController(true).endOwnerReference().endMetadata()
          .withNewSpec().withNodeName("node-1").endSpec().withNewStatus().withPhase("Running")
          .withStartTime(agentReady.minusSeconds(30).toString()).endStatus().build()).create();
      await().atMost(Duration.ofSeconds(15)).until(() -> client.events().v1().events().inNamespace("shop").list()
          .getItems().size() >= 2);
      // the finding's facts change (another owner): the same reason on the same pod updates the Event's series
      client.pods().inNamespace("shop").withName("racer").edit(pod -> new PodBuilder(pod).editMetadata()
          .editFirstOwnerReference().withName("racer-rs-2").endOwnerReference().endMetadata().build());
      await().atMost(Duration.ofSeconds(15)).until(() -> client.events().v1().events().inNamespace("shop").list()
          .getItems().stream().anyMatch(e -> e.getSeries() != null));
      // the probe: a report with a filtered lxc; chainwatch asks for a repair; the probe reads the request
      NodeAnnotations probe = new NodeAnnotations(URI.create(client.getMasterUrl().toString()), null, null);
      probe.set("node-1", "chainwatch.io/node-report", "{\"version\":1,\"observedAt\":\"" + Instant.now()
          + "\",\"uplink\":\"eth0\",\"rpFilter\":{\"all\":0,\"eth0\":1,\"lxc1a2b\":1},\"ciliumHealth\":null}");
      await().atMost(Duration.ofSeconds(15)).until(() -> client.nodes().withName("node-1").get().getMetadata()
          .getAnnotations().containsKey("chainwatch.io/rp-filter-repair"));
      assertThat(probe.get("node-1")).containsKey("chainwatch.io/rp-filter-repair");
      // the node verdict also lands as a Node condition (read the Node, patch its status)
      await().atMost(Duration.ofSeconds(15)).until(() -> client.nodes().withName("node-1").get().getStatus()
          .getConditions().stream().anyMatch(c -> c.getType().equals("RpFilterHealthy")
              && c.getStatus().equals("False")));
    } finally {
      chainwatch.close();
      chainwatchClient.close();
    }

    Set<Access> watcher = new TreeSet<>(java.util.Comparator.comparing(Access::toString));
    Set<Access> probe = new TreeSet<>(java.util.Comparator.comparing(Access::toString));
    RecordedRequest request;
    while ((request = server.takeRequest(50, TimeUnit.MILLISECONDS)) != null) {
      String agent = String.valueOf(request.getHeader("User-Agent"));
      if (agent.startsWith(CHAINWATCH_AGENT)) {
        watcher.add(access(request.getMethod(), request.getPath()));
      } else if (agent.startsWith("Java-http-client")) {
        probe.add(access(request.getMethod(), request.getPath()));
      }
    }
    List<Map<String, Object>> chart = Chart.render(Map.of("remediationMode", "enforce", "rpFilterRepair", true));
    Rbac rbac = Rbac.of(chart);

    assertThat(watcher).as("requests chainwatch made").isNotEmpty();
    for (Access access : watcher) {
      assertThat(rbac.allows("chainwatch", access)).as("chart allows chainwatch to " + access).isTrue();
    }
    for (Access access : probe) {
      assertThat(rbac.allows("chainwatch-probe", access)).as("chart allows the probe to " + access).isTrue();
    }
    assertThat(rbac.unused("chainwatch", watcher)).as("granted to chainwatch but never used").isEmpty();
    assertThat(rbac.unused("chainwatch-probe", probe)).as("granted to the probe but never used").isEmpty();
    System.out.println("chainwatch's API requests: " + watcher + "\nthe probe's: " + probe);
  }

  /** The chart's rules per service account, as RBAC evaluates them. */
  record Rbac(List<Grant> grants) {
    record Grant(String serviceAccount, String namespace, String group, String resource, String verb,
        List<String> resourceNames) {}

    @SuppressWarnings("unchecked")
    static Rbac of(List<Map<String, Object>> objects) {
      Map<String, Map<String, Object>> roles = new java.util.HashMap<>();
      for (Map<String, Object> o : objects) {
        if (o.get("kind").equals("ClusterRole") || o.get("kind").equals("Role")) {
          roles.put(o.get("kind") + "/" + at(o, "metadata", "name"), o);
        }
      }
      List<Grant> grants = new ArrayList<>();
      for (Map<String, Object> binding : objects) {
        String kind = (String) binding.get("kind");
        if (!kind.equals("ClusterRoleBinding") && !kind.equals("RoleBinding")) {
          continue;
        }
        String bindingNamespace = kind.equals("RoleBinding") ? at(binding, "metadata", "namespace") : null;
        Map<String, Object> role = roles.get(at(binding, "roleRef", "kind") + "/" + at(binding, "roleRef", "name"));
        for (Map<String, Object> subject : (List<Map<String, Object>>) binding.get("subjects")) {
          for (Map<String, Object> rule : (List<Map<String, Object>>) role.get("rules")) {
            for (String group : (List<String>) rule.get("apiGroups")) {
              for (String resource : (List<String>) rule.get("resources")) {
                for (String verb : (List<String>) rule.get("verbs")) {
                  grants.add(new Grant((String) subject.get("name"), bindingNamespace, group, resource, verb,
                      (List<String>) rule.getOrDefault("resourceNames", List.of())));
                }
              }
            }
          }
        }
      }
      return new Rbac(grants);
    }

    private static boolean covers(Grant grant, Access access) {
      return grant.group().equals(access.group()) && grant.resource().equals(access.resource())
          && grant.verb().equals(access.verb())
          && (grant.namespace() == null || grant.namespace().equals(access.namespace()))
          && (grant.resourceNames().isEmpty() || grant.resourceNames().contains(access.name()));
    }

    boolean allows(String serviceAccount, Access access) {
      return grants.stream().anyMatch(g -> g.serviceAccount().equals(serviceAccount) && covers(g, access));
    }

    List<Grant> unused(String serviceAccount, Set<Access> used) {
      return grants.stream().filter(g -> g.serviceAccount().equals(serviceAccount))
          .filter(g -> used.stream().noneMatch(access -> covers(g, access))).toList();
    }
  }
}
