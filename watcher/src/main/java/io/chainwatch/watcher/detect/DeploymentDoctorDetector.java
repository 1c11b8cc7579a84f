package io.chainwatch.watcher.detect;

import io.chainwatch.config.Settings;
import io.chainwatch.model.CiliumConfigSnapshot;
import io.chainwatch.model.DetectorText;
import io.chainwatch.model.PodSnapshot;
import java.util.Set;
import io.chainwatch.model.ClusterChange;
import io.chainwatch.model.DaemonSetSnapshot;
import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingFacts;
import io.chainwatch.model.NodeReport;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import io.chainwatch.model.Snapshot;
import io.chainwatch.watcher.view.ClusterView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The deployment doctor's configuration checks, judged on the cluster's shape ({@link ClusterShape}) — one subject:
 * Cilium's configuration. None restarts anything: action page for what breaks traffic, none for advice.
 * <ul>
 *   <li>{@code unsupported-gr-native-routing} (critical, page): GlobalRouter + Cilium chained (generic-veth) + native
 *       routing: cross-node pod traffic fails while same-node traffic works. Recommend overlay.</li>
 *   <li>{@code native-routing-config}: native routing on VPC-CNI without {@code local-router-ipv4} (warning), or with
 *       Cilium's sysctlfix init container still running (critical: a systemd-sysctl restart resets eth0 rp_filter);
 *       overlay without sysctlfix (warning: host → pod return traffic needs lxc rp_filter 0).</li>
 *   <li>{@code bpf-host-routing} (info, none): iptables masquerading makes BPF host routing fall back to legacy;
 *       endpoint routes bypass cilium_host. Explains, does not alarm.</li>
 * </ul>
 */
public final class DeploymentDoctorDetector implements Detector {
  public static final String ID = "deployment-doctor";
  /** Its declaration: registered in {@link DetectorCatalog#ALL}; its switch is the whole doctor's too. */
  public static final DetectorSpec SPEC = new DetectorSpec(ID, new DetectorText(
      "Cilium deployed in a known-bad configuration",
      "Follow the finding: GlobalRouter chaining with native routing → switch to overlay; native routing on VPC-CNI →"
          + " set local-router-ipv4 and keep sysctlfix disabled; overlay without sysctlfix → enable it (field reports:"
          + " known-bad configurations)."),
      Settings.DOCTOR_ENABLED, null, List.of(Settings.DOCTOR_BASE_CNI),
      Set.of(CiliumConfigSnapshot.class, DaemonSetSnapshot.class, NodeSnapshot.class,
          PodSnapshot.class),
      config -> new DeploymentDoctorDetector(config.hostDetectors().baseCni(), config.hostDetectors().routingMode()));

  private final String configuredBaseCni;
  private final String configuredRouting;

  public DeploymentDoctorDetector(String configuredBaseCni, String configuredRouting) {
    this.configuredBaseCni = configuredBaseCni;
    this.configuredRouting = configuredRouting;
  }

  @Override
  public String id() {
    return ID;
  }

  private static ResourceRef subject(ClusterView view) {
    return view.ciliumConfig().map(Snapshot::ref).orElse(new ResourceRef("ConfigMap", "kube-system",
        "cilium-config"));
  }

  @Override
  public Subjects affectedBy(ClusterChange change, ClusterView view) {
    Snapshot latest = change.latest();
    if (latest instanceof io.chainwatch.model.CiliumConfigSnapshot || latest instanceof DaemonSetSnapshot
        || (latest instanceof NodeSnapshot node && nodeMatters(change, node))
        || (latest instanceof io.chainwatch.model.PodSnapshot pod && view.isCiliumAgent(pod))) {
      return Subjects.of(List.of(subject(view)));
    }
    return Subjects.NONE;
  }

  /** A node's OS or report changed (what confirms sysctlfix advice), or a node came or went. */
  private static boolean nodeMatters(ClusterChange change, NodeSnapshot latest) {
    if (!(change.before() instanceof NodeSnapshot before) || !(change.after() instanceof NodeSnapshot after)) {
      return true;
    }
    return !Objects.equals(before.osImage(), after.osImage()) || !Objects.equals(before.report() == null ? null
        : before.report().rpFilter(), after.report() == null ? null : after.report().rpFilter());
  }

  @Override
  public Collection<ResourceRef> allSubjects(ClusterView view) {
    return view.ciliumConfig().isPresent() ? List.of(subject(view)) : List.of();
  }

  @Override
  public Evaluation evaluate(ResourceRef subject, ClusterView view, Instant now) {
    if (view.ciliumConfig().isEmpty()) {
      return Evaluation.NOTHING;
    }
    ClusterShape shape = ClusterShape.of(view, configuredBaseCni, configuredRouting);
    List<Finding> findings = new ArrayList<>();
    if (shape.baseCni().equals(ClusterShape.GLOBAL_ROUTER) && shape.chained() && shape.nativeRouting()) {
      findings.add(finding("unsupported-gr-native-routing", subject, Severity.CRITICAL, PlannedAction.PAGE,
          "GlobalRouter with Cilium chained (" + shape.chainingMode() + ") in native routing is not supported: "
              + "cross-node pod traffic fails because Cilium's eBPF on eth0 ingress drops return packets meant for "
              + "cbr0, while same-node traffic works and hides the failure. Use overlay (routing-mode: tunnel).",
          shape, now));
    }
    if (shape.nativeRouting() && shape.baseCni().equals(ClusterShape.VPC_CNI)) {
      if (shape.config().getOrDefault("local-router-ipv4", "").isBlank()) {
        findings.add(finding("native-routing-config", "local-router-ipv4-unset", subject, Severity.WARNING,
            PlannedAction.PAGE, "Native routing on VPC-CNI without local-router-ipv4: Cilium does not manage pod "
                + "IPAM here and cannot pick a safe address for cilium_host; set extraConfig.local-router-ipv4 to "
                + "a link-local address such as 169.254.32.16.", shape, now));
      }
      if (shape.sysctlfix().orElse(false)) {
        findings.add(finding("native-routing-config", "sysctlfix-enabled", subject, Severity.CRITICAL,
            PlannedAction.PAGE, "Native routing with Cilium's sysctlfix init container still running: it restarts "
                + "systemd-sysctl, which re-applies the OS default rp_filter=1 on eth0 and drops pod traffic; "
                + "install Cilium with --set sysctlfix.enabled=false.", shape, now));
      }
    }
    if (shape.overlay() && shape.sysctlfix().isPresent() && !shape.sysctlfix().get()) {
      findings.add(sysctlfixDisabledInOverlay(subject, shape, view, now));
    }
    boolean iptablesMasquerade = shape.flag("enable-ipv4-masquerade") && !shape.flag("enable-bpf-masquerade");
    if (iptablesMasquerade) {
      findings.add(finding("bpf-host-routing", "iptables-masquerade", subject, Severity.INFO, PlannedAction.NONE,
          "Masquerading runs through iptables (enable-ipv4-masquerade without enable-bpf-masquerade), so BPF host "
              + "routing falls back to legacy host routing. Not an outage: set bpf.masquerade=true for the BPF "
              + "datapath.", shape, now));
    }
    if (shape.flag("enable-endpoint-routes")) {
      findings.add(finding("bpf-host-routing", "endpoint-routes", subject, Severity.INFO, PlannedAction.NONE,
          "enable-endpoint-routes is true: pod traffic uses per-endpoint routes and bypasses cilium_host, so "
              + "\"Host Routing: BPF\" in cilium status is not what packets see. Not an outage.", shape, now));
    }
    return new Evaluation(findings, null);
  }

  /**
   * Overlay without sysctlfix: host → pod return traffic needs rp_filter 0 on Cilium's interfaces, which sysctlfix
   * keeps against systemd-sysctl. Whether that bites depends on the host, so it pages (warning) only when a host
   * confirms it: a node's probe reports a Cilium interface with effective rp_filter other than 0, or a node runs an
   * OS whose systemd-sysctl re-applies distribution defaults. Otherwise (Talos applies sysctls itself; no probe, an
   * unknown OS) it is advice. The advice names the chart versions that have the value.
   */
  private Finding sysctlfixDisabledInOverlay(ResourceRef subject, ClusterShape shape, ClusterView view, Instant now) {
    List<String> confirmed = new ArrayList<>();
    List<String> systemdNodes = new ArrayList<>();
    for (NodeSnapshot node : view.nodes()) {
      NodeReport report = node.report();
      if (report != null && report.problem() == null) {
        for (String iface : report.rpFilter().keySet()) {
          Integer effective = NodeReport.isCiliumInterface(iface) ? report.effectiveRpFilter(iface) : null;
          if (effective != null && effective != 0) {
            confirmed.add(node.name() + " " + iface + "=" + effective);
            break;
          }
        }
      }
      if (node.osImage() != null && HostOs.reappliesSysctlDefaults(node.osImage())) {
        systemdNodes.add(node.name() + " (" + node.osImage() + ")");
      }
    }
    boolean hostConfirms = !confirmed.isEmpty() || !systemdNodes.isEmpty();
    Optional<Boolean> chartHasValue = shape.chartHasSysctlfix();
    String fix = chartHasValue.orElse(true)
        ? "re-enable it (sysctlfix.enabled=true, the chart's default since Cilium 1.16.0, 1.15.7 and 1.14.13)"
        : "this Cilium (" + shape.ciliumVersion().orElse("?") + ") predates the chart's sysctlfix value (1.16.0, "
            + "backported to 1.15.7 and 1.14.13): upgrade, or have the hosts keep rp_filter 0 on lxc* themselves "
            + "(a sysctl.d file like Cilium's 99-zzz-override_cilium.conf)";
    String why = !confirmed.isEmpty()
        ? "the probe shows it happening: " + String.join(", ", confirmed.subList(0, Math.min(5, confirmed.size())))
        : !systemdNodes.isEmpty()
            ? "nodes run an OS whose systemd-sysctl re-applies defaults (" + String.join(", ",
                systemdNodes.subList(0, Math.min(3, systemdNodes.size()))) + (systemdNodes.size() > 3 ? ", ..." : "")
                + "), so the next systemd-sysctl restart resets lxc rp_filter"
            : "no host confirms it (no probe reports a Cilium interface with rp_filter other than 0, and no node runs "
                + "an OS known to re-apply sysctl defaults with systemd-sysctl, e.g. Talos), so this is advice";
    Finding finding = finding("native-routing-config", "sysctlfix-disabled-in-overlay", subject,
        hostConfirms ? Severity.WARNING : Severity.INFO, hostConfirms ? PlannedAction.PAGE : PlannedAction.NONE,
        "Overlay routing without Cilium's sysctlfix init container: host → pod return traffic needs rp_filter 0 on "
            + "lxc interfaces, which sysctlfix keeps; " + why + ". Fix: " + fix + ".", shape, now);
    Map<String, Object> evidence = new LinkedHashMap<>(finding.evidence());
    evidence.put("hostConfirms", confirmed.subList(0, Math.min(20, confirmed.size())));
    evidence.put("nodesReapplyingSysctl", systemdNodes.size());
    evidence.put("ciliumVersion", shape.ciliumVersion().orElse(null));
    if (!hostConfirms) {
      evidence.put(FindingFacts.ACTION_REASON, "advice: no host confirms rp_filter is reset there");
    }
    return new Finding(finding.detectorId(), finding.resource(), finding.node(), finding.severity(), finding.action(),
        finding.reason(), finding.summary(), finding.observedAt(), evidence);
  }

  private Finding finding(String reason, ResourceRef subject, Severity severity, PlannedAction action,
      String summary, ClusterShape shape, Instant now) {
    return finding(reason, reason, subject, severity, action, summary, shape, now);
  }

  /** Findings carry the check's id as their detector, so each check is named, configured and grouped on its own. */
  private Finding finding(String check, String reason, ResourceRef subject, Severity severity, PlannedAction action,
      String summary, ClusterShape shape, Instant now) {
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put("baseCni", shape.baseCni());
    evidence.put("chainingMode", shape.chainingMode());
    evidence.put(FindingFacts.ROUTING_MODE, shape.routing().map(RoutingMode::wireName).orElse("unknown"));
    evidence.put("sysctlfix", shape.sysctlfix().orElse(null));
    evidence.put("signals", shape.signals());
    evidence.put(FindingFacts.ACTION_REASON, action == PlannedAction.NONE ? "advice: nothing is broken"
        : "a configuration only a person can change");
    return new Finding(check, subject, null, severity, action, reason, summary, now, evidence);
  }
}
