package io.chainwatch.watcher.detect;

import io.chainwatch.model.CiliumConfigSnapshot;
import io.chainwatch.model.DaemonSetSnapshot;
import io.chainwatch.watcher.view.ClusterView;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How the cluster's network is built, read from what the cluster shows, with the signals used: the base CNI
 * (GlobalRouter when {@code tke-bridge-agent} runs, even next to VPC-CNI's agent; VPC-CNI when only
 * {@code tke-eni-ipamd} runs; or pinned in configuration), whether Cilium is chained ({@code cni-chaining-mode}),
 * the routing mode, and whether Cilium's agent DaemonSet runs the sysctl-overwrite init container (sysctlfix).
 *
 * @param baseCni {@code global-router}, {@code vpc-cni} or {@code unknown}: the default pod network
 * @param vpcCniAddon both agents run: GlobalRouter with VPC-CNI enabled next to it (annotated pods get VPC IPs)
 * @param chainingMode the {@code cni-chaining-mode} value, {@code null} when not chained
 * @param routing the routing mode, empty when unknown
 * @param sysctlfix whether the Cilium DaemonSet runs sysctlfix; empty when no Cilium DaemonSet is seen
 * @param config cilium-config's data (empty when absent)
 * @param signals what each conclusion was read from, for the evidence
 */
public record ClusterShape(String baseCni, boolean vpcCniAddon, String chainingMode, Optional<RoutingMode> routing,
    Optional<Boolean> sysctlfix, Map<String, String> config, List<String> signals) {
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
      boolean bridgeAgent = false;
      boolean eniAgent = false;
      for (DaemonSetSnapshot daemonSet : view.daemonSets()) {
        if (daemonSet.name().startsWith("tke-bridge-agent")) {
          bridgeAgent = true;
          signals.add("DaemonSet " + daemonSet.namespace() + "/" + daemonSet.name() + " (GlobalRouter's agent)");
        } else if (daemonSet.name().startsWith("tke-eni-ipamd")) {
          eniAgent = true;
          signals.add("DaemonSet " + daemonSet.namespace() + "/" + daemonSet.name() + " (VPC-CNI's agent)");
        }
      }
      // Both agents run when a GlobalRouter cluster has VPC-CNI enabled next to it (coexistence): the default pod
      // network is still GlobalRouter's bridge.
      base = bridgeAgent ? GLOBAL_ROUTER : eniAgent ? VPC_CNI : base;
      vpcCniAddon = bridgeAgent && eniAgent;
    }
    Map<String, String> config = view.ciliumConfig().map(CiliumConfigSnapshot::data).orElse(Map.of());
    String chaining = config.get("cni-chaining-mode");
    if (chaining != null && (chaining.isBlank() || chaining.trim().equalsIgnoreCase("none"))) {
      chaining = null;
    }
    if (chaining != null) {
      signals.add("cilium-config cni-chaining-mode=" + chaining.trim());
    }
    Optional<RoutingMode> routing = RoutingMode.of(view, configuredRouting);
    routing.ifPresent(mode -> signals.add(mode.signal()));
    Optional<Boolean> sysctlfix = Optional.empty();
    for (DaemonSetSnapshot daemonSet : view.daemonSets()) {
      if (daemonSet.name().equals("cilium")) {
        boolean present = daemonSet.initContainers().stream()
            .anyMatch(name -> name.toLowerCase(Locale.ROOT).contains("sysctl"));
        sysctlfix = Optional.of(present);
        signals.add("DaemonSet " + daemonSet.namespace() + "/cilium init containers " + daemonSet.initContainers());
      }
    }
    return new ClusterShape(base, vpcCniAddon, chaining == null ? null : chaining.trim(), routing, sysctlfix, config,
        List.copyOf(signals));
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
