package io.chainwatch.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the node probe reported on its Node ({@code chainwatch.io/node-report}), as detectors read it.
 *
 * @param observedAt when the probe read the facts
 * @param uplink the uplink interface, {@code null} when the probe found none
 * @param rpFilter rp_filter per interface as read (not yet combined with {@code all})
 * @param health the local cilium-health endpoint, {@code null} when cilium-health could not be read
 * @param healthError why cilium-health could not be read, {@code null} when it was
 * @param problem why the report itself could not be read (malformed, unknown version); when set, the other fields
 *     are empty and detectors treat the node as not reported
 * @param repair the probe's answer to the last repair request it handled, {@code null} when none
 * @param cni the CNI configuration the node's runtime uses, {@code null} when the probe does not report it (an older
 *     probe)
 * @param sysctl where the host's rp_filter settings come from, {@code null} when the probe does not report it
 * @param endpoints the endpoints the node's cilium-agent manages, {@code null} when the probe does not report them
 */
public record NodeReport(
    Instant observedAt,
    String uplink,
    Map<String, Integer> rpFilter,
    LocalHealth health,
    String healthError,
    String problem,
    RepairAnswer repair,
    CniChain cni,
    SysctlSources sysctl,
    AgentEndpoints endpoints) {
  public NodeReport {
    rpFilter = Map.copyOf(rpFilter);
  }

  public NodeReport(Instant observedAt, String uplink, Map<String, Integer> rpFilter, LocalHealth health,
      String healthError, String problem) {
    this(observedAt, uplink, rpFilter, health, healthError, problem, null, null, null, null);
  }

  public NodeReport(Instant observedAt, String uplink, Map<String, Integer> rpFilter, LocalHealth health,
      String healthError, String problem, RepairAnswer repair) {
    this(observedAt, uplink, rpFilter, health, healthError, problem, repair, null, null, null);
  }

  public NodeReport(Instant observedAt, String uplink, Map<String, Integer> rpFilter, LocalHealth health,
      String healthError, String problem, RepairAnswer repair, CniChain cni, SysctlSources sysctl) {
    this(observedAt, uplink, rpFilter, health, healthError, problem, repair, cni, sysctl, null);
  }

  public static NodeReport unreadable(String problem) {
    return new NodeReport(null, null, Map.of(), null, null, Objects.requireNonNull(problem, "problem"), null, null,
        null, null);
  }

  /**
   * The endpoints the node's cilium-agent manages, as the probe asked its API ({@code GET /v1/endpoint}).
   *
   * @param total how many endpoints the agent listed (pods and its own: host, health, ingress)
   * @param byState how many are in each state
   * @param notReady the endpoints not {@code ready}, the longest first (a bounded list: see {@code notReadyOmitted})
   * @param notReadyOmitted not-ready endpoints left out of the list
   * @param pods every pod ({@code namespace/name}) the agent manages, in any state, unless cut
   * @param podsOmitted pods left out of {@code pods} (the annotation's budget): when not 0, a pod missing from the
   *     list proves nothing
   * @param error why the agent could not be asked, {@code null} when it answered; the other fields are empty then
   */
  public record AgentEndpoints(int total, Map<String, Integer> byState, List<AgentEndpoint> notReady,
      int notReadyOmitted, java.util.Set<String> pods, int podsOmitted, String error) {
    public AgentEndpoints {
      byState = Map.copyOf(byState);
      notReady = List.copyOf(notReady);
      pods = java.util.Set.copyOf(pods);
    }

    public static AgentEndpoints failed(String error) {
      return new AgentEndpoints(0, Map.of(), List.of(), 0, java.util.Set.of(), 0,
          Objects.requireNonNull(error, "error"));
    }

    /** Whether the agent's answer lists every pod it manages: read cleanly and nothing cut. */
    public boolean complete() {
      return error == null && podsOmitted == 0;
    }

    /** Whether the agent manages the pod: only meaningful when {@link #complete()}. */
    public boolean manages(String namespace, String name) {
      return pods.contains(namespace + "/" + name);
    }

    /** The not-ready endpoint of a pod, if the list holds one. */
    public java.util.Optional<AgentEndpoint> notReadyOf(String namespace, String name) {
      String pod = namespace + "/" + name;
      return notReady.stream().filter(endpoint -> pod.equals(endpoint.pod())).findFirst();
    }
  }

  /**
   * One endpoint that is not ready.
   *
   * @param id the agent's endpoint id
   * @param pod {@code namespace/name}, {@code null} for the agent's own endpoints
   * @param reserved what an endpoint without a pod is ({@code health}, {@code host}, {@code ingress}), else
   *     {@code null}
   * @param state the agent's state ({@code waiting-for-identity}, {@code not-ready}, {@code regenerating}...)
   * @param since since when it has been in that state
   * @param sinceFrom who says so: {@code agent} (its status log) or {@code probe} (its first sighting)
   */
  public record AgentEndpoint(long id, String pod, String reserved, String state, Instant since, String sinceFrom) {}

  /**
   * Where the host's rp_filter settings come from: the sysctl.d assignments in the order systemd-sysctl applies them.
   *
   * @param rpFilter the rp_filter assignments, last ones kept when there were more
   * @param ciliumOverride whether Cilium's {@code 99-zzz-override_cilium.conf} is in {@code /etc/sysctl.d}
   * @param problems files or directories the probe could not read
   */
  public record SysctlSources(List<Assignment> rpFilter, boolean ciliumOverride, List<String> problems) {
    public SysctlSources {
      rpFilter = List.copyOf(rpFilter);
      problems = List.copyOf(problems);
    }

    /**
     * One assignment line.
     *
     * @param file the host path of the file
     * @param line its line number
     * @param key the key with dots, maybe a glob ({@code net.ipv4.conf.*.rp_filter})
     * @param value the value as written; {@code null} for a {@code -key} line, which excludes the key from globs
     */
    public record Assignment(String file, int line, String key, String value) {
      public boolean excludes() {
        return value == null;
      }

      @Override
      public String toString() {
        return file + ":" + line + " " + (excludes() ? "-" + key : key + " = " + value);
      }
    }

    /** The assignment that sets {@code iface}'s rp_filter when systemd-sysctl runs: the last whose key matches. */
    public java.util.Optional<Assignment> settingFor(String iface) {
      String key = "net.ipv4.conf." + iface + ".rp_filter";
      // a "-key" line anywhere keeps every glob off that key (systemd-sysctl); explicit assignments still apply
      boolean excluded = rpFilter.stream().anyMatch(a -> a.excludes() && a.key().equals(key));
      Assignment found = null;
      for (Assignment assignment : rpFilter) {
        boolean glob = assignment.key().indexOf('*') >= 0 || assignment.key().indexOf('?') >= 0;
        if (!assignment.excludes() && globMatches(assignment.key(), key) && !(glob && excluded)) {
          found = assignment;
        }
      }
      return java.util.Optional.ofNullable(found);
    }

    /** fnmatch as systemd-sysctl uses it: {@code *} and {@code ?}, no character classes. */
    static boolean globMatches(String glob, String text) {
      int g = 0;
      int t = 0;
      int star = -1;
      int mark = 0;
      while (t < text.length()) {
        if (g < glob.length() && (glob.charAt(g) == '?' || glob.charAt(g) == text.charAt(t))) {
          g++;
          t++;
        } else if (g < glob.length() && glob.charAt(g) == '*') {
          star = g++;
          mark = t;
        } else if (star >= 0) {
          g = star + 1;
          t = ++mark;
        } else {
          return false;
        }
      }
      while (g < glob.length() && glob.charAt(g) == '*') {
        g++;
      }
      return g == glob.length();
    }
  }

  /**
   * The CNI configuration the node's container runtime uses, as the probe read it from the host.
   *
   * @param file the configuration file the runtime uses (the lexically first usable one), {@code null} when none
   * @param plugins its plugin types in chain order
   * @param cilium whether {@code cilium-cni} runs for new pods; {@code null} when a meta plugin (multus) delegates
   *     to configuration the file does not hold
   * @param modifiedAt the file's modification time
   * @param seenSince since when the probe has seen this file with this content
   * @param problems files the runtime would look at before this one that the probe could not use (the runtime may
   *     then behave otherwise: nothing is concluded)
   * @param error why no configuration could be read, {@code null} when one was
   */
  public record CniChain(String file, List<String> plugins, Boolean cilium, Instant modifiedAt, Instant seenSince,
      List<String> problems, String error) {
    public CniChain {
      plugins = List.copyOf(plugins);
      problems = List.copyOf(problems);
    }

    /** Whether the file the runtime uses surely leaves Cilium out: read cleanly, and no cilium-cni in it. */
    public boolean leavesCiliumOut() {
      return error == null && file != null && Boolean.FALSE.equals(cilium) && problems.isEmpty();
    }
  }

  /**
   * The rp_filter values to write so that the routing mode's traffic passes again; empty when nothing needs writing
   * or the report does not say what to write. The kernel applies max(all, interface):
   * <ul>
   *   <li>native routing: a strict uplink becomes 0 when {@code all} is 0, else 2 (loose), the only per-interface
   *       value that a strict {@code all} cannot override;</li>
   *   <li>overlay: {@code all} becomes 0, and every Cilium interface whose own value is not 0 becomes 0 (what
   *       Cilium's sysctlfix writes).</li>
   * </ul>
   */
  public Map<String, Integer> rpFilterRepair(boolean nativeRouting) {
    Map<String, Integer> values = new java.util.TreeMap<>();
    int all = rpFilter.getOrDefault("all", 0);
    if (nativeRouting) {
      Integer effective = uplink == null ? null : effectiveRpFilter(uplink);
      if (effective != null && effective == 1) {
        values.put(uplink, all == 0 ? 0 : 2);
      }
      return values;
    }
    boolean anyFiltered = rpFilter.keySet().stream().anyMatch(iface -> isCiliumInterface(iface)
        && effectiveRpFilter(iface) != 0);
    if (!anyFiltered) {
      return values;
    }
    if (all != 0) {
      values.put("all", 0);
    }
    rpFilter.forEach((iface, own) -> {
      if (isCiliumInterface(iface) && own != 0) {
        values.put(iface, 0);
      }
    });
    return values;
  }

  /** Interfaces Cilium needs at rp_filter 0 in overlay routing: its own and every pod veth. */
  public static boolean isCiliumInterface(String iface) {
    return iface.startsWith("lxc") || iface.equals("cilium_host") || iface.equals("cilium_net");
  }

  /**
   * The probe's answer to a repair request ({@code repair} in the report).
   *
   * @param id the request's id
   * @param at when the probe handled it
   * @param written rp_filter values written, by interface
   * @param errors values that could not be written, {@code interface: why}
   * @param refused why the probe did not act at all (expired, invalid), {@code null} when it did
   */
  public record RepairAnswer(String id, Instant at, Map<String, Integer> written, Map<String, String> errors,
      String refused) {
    public RepairAnswer {
      Objects.requireNonNull(id, "id");
      written = Map.copyOf(written);
      errors = Map.copyOf(errors);
    }
  }

  /**
   * The value the kernel applies on {@code iface}: max({@code all}, {@code iface}); {@code null} when the interface
   * was not reported.
   */
  public Integer effectiveRpFilter(String iface) {
    Integer own = rpFilter.get(iface);
    if (own == null) {
      return null;
    }
    return Math.max(own, rpFilter.getOrDefault("all", 0));
  }

  /**
   * The local node's cilium-health endpoint as cilium-health sees it: each address (primary, secondaries) counted
   * reachable, unreachable or unknown by upstream's rules (a missing ICMP or HTTP result is unknown, an empty status
   * reachable, a non-empty status the error of an unreachable path).
   *
   * @param endpointPresent the node has a health endpoint at all (CNI chaining has none)
   * @param reachable addresses reachable
   * @param unreachable addresses unreachable
   * @param unknown addresses not (yet) probed
   * @param errors the error texts of unreachable addresses, {@code address: error}
   */
  public record LocalHealth(boolean endpointPresent, int reachable, int unreachable, int unknown,
      List<String> errors) {
    public LocalHealth {
      errors = List.copyOf(errors);
    }
  }
}
