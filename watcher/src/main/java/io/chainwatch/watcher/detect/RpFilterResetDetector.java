package io.chainwatch.watcher.detect;

import io.chainwatch.config.Settings;
import io.chainwatch.model.CiliumConfigSnapshot;
import io.chainwatch.model.DetectorText;
import io.chainwatch.model.NodeSnapshot;
import java.util.Set;
import io.chainwatch.config.HostDetectorsConfig;
import io.chainwatch.model.ClusterChange;
import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingFacts;
import io.chainwatch.model.NodeReport;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import io.chainwatch.watcher.view.ClusterView;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code rp-filter-reset}: a host whose rp_filter drops pod traffic, judged on the effective value the kernel applies,
 * max({@code all}, interface). In native routing (pod IPs are VPC IPs) a strict (1) uplink drops pod traffic:
 * critical. In overlay every {@code lxc*}, {@code lxc_health}, {@code cilium_host} and {@code cilium_net} must be 0 or
 * host → pod return traffic is dropped: critical for 1, warning for 2. A strict uplink in overlay is fine. The usual
 * cause is a {@code systemd-sysctl} restart re-applying OS defaults. Action: page, or repair (the node's probe
 * writes the values back) when {@code remediation.rpFilterRepair.enabled}.
 */
public final class RpFilterResetDetector implements Detector {
  public static final String ID = "rp-filter-reset";
  /** Its declaration: registered in {@link DetectorCatalog#ALL}. */
  public static final DetectorSpec SPEC = new DetectorSpec(ID, new DetectorText("Host rp_filter drops pod traffic",
      "Set rp_filter back (native routing: the uplink to 0 or 2, and keep sysctlfix disabled; overlay: lxc*, cilium_*"
          + " and all to 0) and find what restarted systemd-sysctl (field report: systemd-sysctl restart resets"
          + " rp_filter).",
      io.chainwatch.model.FleetDimension.OS_IMAGE),
      Settings.RP_FILTER_ENABLED, null, List.of(Settings.RP_FILTER_ROUTING_MODE),
      Set.of(NodeSnapshot.class, CiliumConfigSnapshot.class),
      config -> new RpFilterResetDetector(config.hostDetectors(), config.remediation().rpFilterRepair().enabled()));
  private static final int MAX_LISTED = 20;

  private final String configuredMode;
  private final boolean repair;

  /** @param repair whether findings ask the node's probe for a repair (remediation.rpFilterRepair.enabled) */
  public RpFilterResetDetector(HostDetectorsConfig config, boolean repair) {
    this.configuredMode = config.routingMode();
    this.repair = repair;
  }

  public RpFilterResetDetector(HostDetectorsConfig config) {
    this(config, false);
  }

  /** Repair when enabled and the report says what to write; otherwise a person must. */
  private PlannedAction action(NodeReport report, boolean nativeRouting, Map<String, Object> evidence) {
    Map<String, Integer> values = repair ? report.rpFilterRepair(nativeRouting) : Map.of();
    if (values.isEmpty()) {
      evidence.put(FindingFacts.ACTION_REASON, repair
          ? "the report does not say what to write back: a person must set rp_filter"
          : "rp_filter lives on the host: a person (or the probe's opt-in repair) must set it");
      return PlannedAction.PAGE;
    }
    evidence.put("repairInterfaces", values.size());
    evidence.put(FindingFacts.ACTION_REASON, "remediation.rpFilterRepair is on: the node's probe is asked to write rp_filter "
        + "back, behind the remediation rails");
    return PlannedAction.REPAIR;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Optional<String> inactiveReason(ClusterView view) {
    if (RoutingMode.of(view, configuredMode).isPresent()) {
      return Optional.empty();
    }
    return Optional.of("the routing mode is unknown: cilium-config has neither routing-mode nor tunnel (or is not "
        + "found) and detectors.rp-filter-reset.routingMode is auto; set it to native or tunnel");
  }

  @Override
  public Subjects affectedBy(ClusterChange change, ClusterView view) {
    return HostReports.affectedBy(change, true);
  }

  @Override
  public Collection<ResourceRef> allSubjects(ClusterView view) {
    return HostReports.nodesWithReports(view);
  }

  @Override
  public Evaluation evaluate(ResourceRef subject, ClusterView view, Instant now) {
    Optional<NodeReport> found = HostReports.reportOf(subject, view);
    Optional<RoutingMode> mode = RoutingMode.of(view, configuredMode);
    if (found.isEmpty() || mode.isEmpty()) {
      return Evaluation.NOTHING;
    }
    NodeReport report = found.get();
    String node = subject.name();
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put(FindingFacts.ROUTING_MODE, mode.get().wireName());
    evidence.put("routingModeSignal", mode.get().signal());
    evidence.put("uplink", report.uplink());
    evidence.put("all", report.rpFilter().get("all"));
    evidence.put(FindingFacts.INCIDENT_GROUP, HostReports.INCIDENT_GROUP);
    if (mode.get().nativeRouting()) {
      Integer effective = report.uplink() == null ? null : report.effectiveRpFilter(report.uplink());
      if (effective == null || effective != 1) {
        return Evaluation.NOTHING;
      }
      evidence.put("interfaces", List.of(HostReports.interfaceEvidence(report.uplink(),
          report.rpFilter().get(report.uplink()), effective)));
      PlannedAction action = action(report, true, evidence);
      String summary = "Node " + node + ": rp_filter on its uplink " + report.uplink() + " is strict (effective 1 = "
          + "max(all=" + report.rpFilter().getOrDefault("all", 0) + ", " + report.uplink() + "="
          + report.rpFilter().get(report.uplink()) + ")) in native routing, so the host drops pod traffic (pod IPs "
          + "are VPC IPs that fail strict reverse-path checks). A systemd-sysctl restart re-applied the OS default; "
          + "in native routing Cilium's sysctlfix must be disabled (Helm sysctlfix.enabled=false). Fix: sysctl -w "
          + "net.ipv4.conf." + report.uplink() + ".rp_filter=" + (report.rpFilter().getOrDefault("all", 0) == 0
              ? "0" : "2 (all is not 0, and the kernel applies the larger value)") + " and make it persistent."
          + provenance(report, List.of(report.uplink()), false, evidence);
      return Evaluation.of(new Finding(ID, subject, node, Severity.CRITICAL, action, "uplink-strict",
          summary, now, evidence));
    }
    List<Map<String, Object>> offending = HostReports.filteredCiliumInterfaces(report);
    if (offending.isEmpty()) {
      return Evaluation.NOTHING;
    }
    boolean strict = offending.stream().anyMatch(i -> Integer.valueOf(1).equals(i.get("effective")));
    evidence.put("interfaces", offending.subList(0, Math.min(MAX_LISTED, offending.size())));
    evidence.put("filteredInterfaces", offending.size());
    PlannedAction action = action(report, false, evidence);
    String listed = offending.stream().limit(5).map(i -> i.get("interface") + "=" + i.get("effective"))
        .collect(Collectors.joining(", ")) + (offending.size() > 5 ? " and " + (offending.size() - 5) + " more" : "");
    String summary = "Node " + node + ": rp_filter is not 0 on " + offending.size() + " Cilium interface"
        + (offending.size() == 1 ? "" : "s") + " (" + listed + ", effective = max(all, interface)) in overlay "
        + "routing, so host → pod return traffic is " + (strict ? "dropped" : "at risk (loose mode)")
        + ". A systemd-sysctl restart likely re-applied OS defaults over Cilium's sysctlfix (which sets lxc*, "
        + "cilium_* and all to 0): check that the sysctlfix init container ran, then set the values back to 0."
        + provenance(report, offending.stream().map(i -> String.valueOf(i.get("interface"))).limit(5).toList(), true,
            evidence);
    return Evaluation.of(new Finding(ID, subject, node, strict ? Severity.CRITICAL : Severity.WARNING,
        action, "cilium-interfaces-filtered", summary, now, evidence));
  }

  /**
   * Which sysctl.d lines set the offending values (the last assignment matching each interface, and {@code all},
   * whose value the kernel combines with each), and whether Cilium's override file is there; empty when the probe
   * does not report where settings come from. Adds the evidence and returns a sentence for the summary.
   */
  private static String provenance(NodeReport report, List<String> interfaces, boolean overlay,
      Map<String, Object> evidence) {
    NodeReport.SysctlSources sources = report.sysctl();
    if (sources == null) {
      return "";
    }
    Map<String, String> setBy = new LinkedHashMap<>();
    for (String iface : interfaces) {
      sources.settingFor(iface).ifPresent(line -> setBy.put(iface, line.toString()));
    }
    sources.settingFor("all").ifPresent(line -> setBy.put("all", line.toString()));
    evidence.put("setBy", setBy);
    evidence.put("ciliumOverrideFile", sources.ciliumOverride() ? "present" : "missing");
    StringBuilder sentence = new StringBuilder();
    setBy.entrySet().stream().filter(e -> !e.getKey().equals("all")).findFirst().ifPresent(e -> sentence
        .append(" The host's sysctl files set ").append(e.getKey()).append(" in ").append(e.getValue()).append("."));
    if (overlay && !sources.ciliumOverride()) {
      sentence.append(" Cilium's /etc/sysctl.d/99-zzz-override_cilium.conf is missing: sysctlfix did not write it.");
    }
    return sentence.toString();
  }
}
