package io.chainwatch.watcher.detect;

import io.chainwatch.model.CiliumConfigSnapshot;
import io.chainwatch.model.DaemonSetSnapshot;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.watcher.view.ClusterView;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the cluster's network is built, read from what the cluster shows, with the signals used: the base CNI from any
 * evidence of its agents (DaemonSets, or the pods of DaemonSets and Deployments: GlobalRouter when
 * {@code tke-bridge-agent} runs, even next to VPC-CNI's; VPC-CNI when {@code tke-eni-agent}, {@code tke-eni-ipamd} or
 * {@code tke-eni-ip-scheduler} runs; or pinned in configuration), whether Cilium is chained ({@link CiliumFacts}), the
 * routing mode, whether Cilium's agent runs the sysctl-overwrite init container (sysctlfix: from the agent DaemonSet,
 * else from the agent pods), and Cilium's version from the agent image.
 *
 * @param baseCni {@code global-router}, {@code vpc-cni} or {@code unknown}: the default pod network
 * @param vpcCniAddon both agents run: GlobalRouter with VPC-CNI enabled next to it (annotated pods get VPC IPs)
 * @param chainingMode the chaining mode, {@code null} when Cilium is the primary CNI
 * @param routing the routing mode, empty when unknown
 * @param sysctlfix whether Cilium's agent runs sysctlfix; empty when neither its DaemonSet nor its pods are seen
 * @param ciliumVersion {@code major.minor.patch} of the agent image, empty when unknown
 * @param config cilium-config's data (empty when absent)
 * @param signals what each conclusion was read from, for the evidence
 */
public record ClusterShape(String baseCni, boolean vpcCniAddon, String chainingMode, Optional<RoutingMode> routing,
    Optional<Boolean> sysctlfix, Optional<String> ciliumVersion, Map<String, String> config, List<String> signals) {
  /** The base CNIs' agents: DaemonSets on TKE, and the Deployments of VPC-CNI's IP address management. */
  static final List<String> GLOBAL_ROUTER_AGENTS = List.of("tke-bridge-agent");
  static final List<String> VPC_CNI_AGENTS = List.of("tke-eni-agent", "tke-eni-ipamd", "tke-eni-ip-scheduler");
  private static final Pattern VERSION = Pattern.compile(":v?(\\d+\\.\\d+\\.\\d+)");
  static final String GLOBAL_ROUTER = "global-router";
  static final String VPC_CNI = "vpc-cni";

  /**
   * @param configuredBaseCni {@code auto}, {@code global-router} or {@code vpc-cni}
   * @param configuredRouting {@code auto}, {@code native} or {@code tunnel}
   */
  public static ClusterShape of(ClusterView view, String configuredBaseCni, String configuredRouting) {
    List<String> signals = new ArrayList<>();
    String base = "unknown";
    boolean vpcCniAddon = false;
    if (!configuredBaseCni.equals("auto")) {
      base = configuredBaseCni;
      signals.add("configured doctor.baseCni=" + configuredBaseCni);
    } else {
      Set<String> bridge = new LinkedHashSet<>();
      Set<String> eni = new LinkedHashSet<>();
      for (DaemonSetSnapshot daemonSet : view.daemonSets()) {
        classify("DaemonSet " + daemonSet.namespace() + "/" + daemonSet.name(), daemonSet.name(), bridge, eni);
      }
      for (String workload : view.workloads()) {
        // "Kind namespace/name": pods of DaemonSets, and of Deployments through their ReplicaSets
        classify("pods of " + workload, workload.substring(workload.indexOf('/') + 1), bridge, eni);
      }
      // Both agents run when a GlobalRouter cluster has VPC-CNI enabled next to it (coexistence): the default pod
      // network is still GlobalRouter's bridge.
      if (!bridge.isEmpty()) {
        signals.add(String.join(", ", bridge) + " (GlobalRouter's agent)");
      }
      if (!eni.isEmpty()) {
        signals.add(String.join(", ", eni) + " (VPC-CNI's agents)");
      }
      base = !bridge.isEmpty() ? GLOBAL_ROUTER : !eni.isEmpty() ? VPC_CNI : base;
      vpcCniAddon = !bridge.isEmpty() && !eni.isEmpty();
    }
    Map<String, String> config = view.ciliumConfig().map(CiliumConfigSnapshot::data).orElse(Map.of());
    CiliumFacts facts = CiliumFacts.of(view);
    signals.add(facts.chainingSignal());
    Optional<RoutingMode> routing = RoutingMode.of(view, configuredRouting);
    routing.ifPresent(mode -> signals.add(mode.signal()));
    Optional<Boolean> sysctlfix = Optional.empty();
    Optional<String> version = Optional.empty();
    for (DaemonSetSnapshot daemonSet : view.daemonSets()) {
      if (isCiliumAgentDaemonSet(daemonSet, view)) {
        sysctlfix = Optional.of(daemonSet.initContainers().stream().anyMatch(ClusterShape::isSysctlfix));
        signals.add("DaemonSet " + daemonSet.namespace() + "/" + daemonSet.name() + " init containers "
            + daemonSet.initContainers());
        for (String image : daemonSet.images()) {
          Optional<String> tagged = agentImageVersion(image);
          if (tagged.isPresent()) {
            version = tagged;
            signals.add("agent image " + image.replaceFirst("@sha256:.*", ""));
          }
        }
      }
    }
    if (sysctlfix.isEmpty()) {
      // a dump of pods only: the agent pods carry the same init containers as their DaemonSet's template
      search:
      for (var node : view.nodes()) {
        for (PodSnapshot pod : view.ciliumAgentsOn(node.name())) {
          if (!pod.initContainers().isEmpty()) {
            sysctlfix = Optional.of(pod.initContainers().stream().anyMatch(ClusterShape::isSysctlfix));
            signals.add("agent pod " + pod.namespace() + "/" + pod.name() + " init containers "
                + pod.initContainers());
            break search;
          }
        }
      }
    }
    return new ClusterShape(base, vpcCniAddon, facts.chainingMode(), routing, sysctlfix, version, config,
        List.copyOf(signals));
  }

  private static void classify(String what, String name, Set<String> bridge, Set<String> eni) {
    if (GLOBAL_ROUTER_AGENTS.stream().anyMatch(name::startsWith)) {
      bridge.add(what);
    } else if (VPC_CNI_AGENTS.stream().anyMatch(name::startsWith)) {
      eni.add(what);
    }
  }

  private static boolean isSysctlfix(String initContainer) {
    return initContainer.toLowerCase(Locale.ROOT).contains("sysctl");
  }

  /** The Cilium agent's version ({@code major.minor.patch}) from its DaemonSet's image, empty when unknown. */
  public static Optional<String> agentVersion(ClusterView view) {
    Optional<String> version = Optional.empty();
    for (DaemonSetSnapshot daemonSet : view.daemonSets()) {
      if (isCiliumAgentDaemonSet(daemonSet, view)) {
        for (String image : daemonSet.images()) {
          Optional<String> tagged = agentImageVersion(image);
          if (tagged.isPresent()) {
            version = tagged;
          }
        }
      }
    }
    return version;
  }

  private static Optional<String> agentImageVersion(String image) {
    Matcher matcher = VERSION.matcher(image);
    return image.contains("/cilium:") && matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
  }

  /** Cilium's agent DaemonSet: in Cilium's namespace, named cilium or carrying the chart's agent labels. */
  private static boolean isCiliumAgentDaemonSet(DaemonSetSnapshot daemonSet, ClusterView view) {
    String namespace = view.cilium().namespace();
    return (namespace == null || namespace.equals(daemonSet.namespace()))
        && (io.chainwatch.watcher.view.ClusterState.isAgentDaemonSet(daemonSet) || daemonSet.name().equals("cilium"));
  }

  /**
   * Whether this Cilium's chart has the sysctlfix value: it came with 1.16.0 and was backported to 1.15.7 and 1.14.13
   * (checked in every packaged chart of cilium/charts). Empty when the version is unknown.
   */
  Optional<Boolean> chartHasSysctlfix() {
    return ciliumVersion.map(v -> {
      String[] parts = v.split("\\.");
      int minor = Integer.parseInt(parts[1]);
      int patch = Integer.parseInt(parts[2]);
      return Integer.parseInt(parts[0]) > 1 || minor >= 16 || (minor == 15 && patch >= 7) || (minor == 14 && patch >= 13);
    });
  }

  boolean chained() {
    return chainingMode != null;
  }

  boolean nativeRouting() {
    return routing.map(RoutingMode::nativeRouting).orElse(false);
  }

  boolean overlay() {
    return routing.map(mode -> !mode.nativeRouting()).orElse(false);
  }

  boolean flag(String key) {
    return "true".equalsIgnoreCase(config.getOrDefault(key, "").trim());
  }
}
