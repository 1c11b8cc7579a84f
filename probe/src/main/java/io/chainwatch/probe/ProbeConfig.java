package io.chainwatch.probe;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The probe's settings, from environment variables only (it is configured by its DaemonSet). Every problem is
 * reported at once, naming the variable, what was expected and what was found.
 *
 * @param node the Node to annotate ({@code NODE_NAME}, from the downward API)
 * @param procRoot root of /proc ({@code CHAINWATCH_PROBE_PROC_ROOT}, default /proc)
 * @param uplink uplink interface, empty to use the default route's ({@code CHAINWATCH_PROBE_UPLINK})
 * @param hostRoot where the host's sysctl directories are mounted, their host paths kept below it
 *     ({@code CHAINWATCH_PROBE_HOST_ROOT})
 * @param cniConfDir the host's CNI configuration directory, mounted read-only ({@code CHAINWATCH_PROBE_CNI_CONF_DIR})
 * @param healthSocket cilium-health socket ({@code CHAINWATCH_PROBE_HEALTH_SOCKET})
 * @param agentSocket cilium-agent's API socket ({@code CHAINWATCH_PROBE_AGENT_SOCKET},
 *     /var/run/cilium/cilium.sock); {@code null} when set empty: the probe then does not ask for endpoints
 * @param healthTimeout bound on one cilium-health request ({@code CHAINWATCH_PROBE_HEALTH_TIMEOUT}, PT5S)
 * @param interval how often host facts are read ({@code CHAINWATCH_PROBE_INTERVAL}, PT30S)
 * @param heartbeat an unchanged report is written again this often ({@code CHAINWATCH_PROBE_HEARTBEAT}, PT5M)
 * @param minWriteInterval never write more often ({@code CHAINWATCH_PROBE_MIN_WRITE_INTERVAL}, PT30S)
 * @param apiServer API server URL (from {@code KUBERNETES_SERVICE_HOST}/{@code _PORT}, or
 *     {@code CHAINWATCH_PROBE_API_SERVER})
 * @param tokenFile service account token
 * @param caFile service account CA
 * @param repair act on chainwatch's rp_filter repair requests ({@code CHAINWATCH_PROBE_REPAIR}, false); needs
 *     {@code CAP_NET_ADMIN} and a writable {@code <procRoot>/sys/net/ipv4/conf}
 * @param repairKeyFile chainwatch's repair signature key ({@code CHAINWATCH_PROBE_REPAIR_KEY_FILE},
 *     /var/run/secrets/chainwatch/repair/key)
 */
public record ProbeConfig(String node, Path procRoot, String uplink, Path healthSocket, Duration healthTimeout,
    Duration interval, Duration heartbeat, Duration minWriteInterval, URI apiServer, Path tokenFile, Path caFile,
    boolean repair, Path repairKeyFile, Path cniConfDir, Path hostRoot, Path agentSocket) {
  private static final String SERVICE_ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount/";

  /**
   * @throws IllegalArgumentException listing every problem
   */
  public static ProbeConfig fromEnv(Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    String node = env.getOrDefault("NODE_NAME", "").trim();
    if (node.isEmpty()) {
      problems.add("NODE_NAME must name this pod's node (set it from spec.nodeName with the downward API), got "
          + "nothing");
    }
    Duration healthTimeout = duration(env, "CHAINWATCH_PROBE_HEALTH_TIMEOUT", "PT5S", problems);
    Duration interval = duration(env, "CHAINWATCH_PROBE_INTERVAL", "PT30S", problems);
    Duration heartbeat = duration(env, "CHAINWATCH_PROBE_HEARTBEAT", "PT5M", problems);
    Duration minWrite = duration(env, "CHAINWATCH_PROBE_MIN_WRITE_INTERVAL", "PT30S", problems);
    if (heartbeat != null && minWrite != null && minWrite.compareTo(heartbeat) > 0) {
      problems.add("CHAINWATCH_PROBE_MIN_WRITE_INTERVAL (" + minWrite + ") must not exceed "
          + "CHAINWATCH_PROBE_HEARTBEAT (" + heartbeat + ")");
    }
    String api = env.get("CHAINWATCH_PROBE_API_SERVER");
    if (api == null && env.containsKey("KUBERNETES_SERVICE_HOST")) {
      String host = env.get("KUBERNETES_SERVICE_HOST");
      api = "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":"
          + env.getOrDefault("KUBERNETES_SERVICE_PORT", "443");
    }
    URI apiServer = null;
    if (api == null) {
      problems.add("CHAINWATCH_PROBE_API_SERVER must be the API server URL when KUBERNETES_SERVICE_HOST is not set, "
          + "got nothing");
    } else {
      try {
        apiServer = URI.create(api.trim());
        if (apiServer.getScheme() == null || apiServer.getHost() == null) {
          throw new IllegalArgumentException("no scheme or host");
        }
      } catch (IllegalArgumentException e) {
        problems.add("CHAINWATCH_PROBE_API_SERVER must be a URL such as https://10.96.0.1:443, got \"" + api + "\"");
      }
    }
    String repair = env.getOrDefault("CHAINWATCH_PROBE_REPAIR", "false").trim();
    if (!repair.equals("true") && !repair.equals("false")) {
      problems.add("CHAINWATCH_PROBE_REPAIR must be true or false, got \"" + repair + "\"");
    }
    String agentSocket = env.getOrDefault("CHAINWATCH_PROBE_AGENT_SOCKET", "/var/run/cilium/cilium.sock").trim();
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("Invalid probe configuration:\n  " + String.join("\n  ", problems));
    }
    return new ProbeConfig(node, Path.of(env.getOrDefault("CHAINWATCH_PROBE_PROC_ROOT", "/proc")),
        env.getOrDefault("CHAINWATCH_PROBE_UPLINK", "").trim(),
        Path.of(env.getOrDefault("CHAINWATCH_PROBE_HEALTH_SOCKET", "/var/run/cilium/health.sock")), healthTimeout,
        interval, heartbeat, minWrite, apiServer,
        Path.of(env.getOrDefault("CHAINWATCH_PROBE_TOKEN_FILE", SERVICE_ACCOUNT + "token")),
        Path.of(env.getOrDefault("CHAINWATCH_PROBE_CA_FILE", SERVICE_ACCOUNT + "ca.crt")), repair.equals("true"),
        Path.of(env.getOrDefault("CHAINWATCH_PROBE_REPAIR_KEY_FILE", "/var/run/secrets/chainwatch/repair/key")),
        Path.of(env.getOrDefault("CHAINWATCH_PROBE_CNI_CONF_DIR", "/etc/cni/net.d")),
        Path.of(env.getOrDefault("CHAINWATCH_PROBE_HOST_ROOT", "/host")),
        agentSocket.isEmpty() ? null : Path.of(agentSocket));
  }

  private static Duration duration(Map<String, String> env, String name, String fallback, List<String> problems) {
    String raw = env.getOrDefault(name, fallback).trim();
    try {
      Duration value = Duration.parse(raw);
      if (value.isNegative() || value.isZero()) {
        problems.add(name + " must be a positive ISO-8601 duration such as " + fallback + ", got \"" + raw + "\"");
        return null;
      }
      return value;
    } catch (DateTimeParseException e) {
      problems.add(name + " must be an ISO-8601 duration such as " + fallback + ", got \"" + raw + "\"");
      return null;
    }
  }
}
