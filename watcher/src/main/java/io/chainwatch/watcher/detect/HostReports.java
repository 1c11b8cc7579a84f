package io.chainwatch.watcher.detect;

import io.chainwatch.model.ClusterChange;
import io.chainwatch.model.NodeReport;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Snapshot;
import io.chainwatch.watcher.view.ClusterView;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the detectors of node probe reports share: their subjects and the report of a subject. */
final class HostReports {
  /** Findings of the host detectors on one node share an incident. */
  static final String INCIDENT_GROUP = "host-network";

  private HostReports() {}

  static Collection<ResourceRef> nodesWithReports(ClusterView view) {
    List<ResourceRef> nodes = new ArrayList<>();
    for (NodeSnapshot node : view.nodes()) {
      if (node.report() != null && node.report().problem() == null) {
        nodes.add(node.ref());
      }
    }
    return nodes;
  }

  /** A node change touches that node; a cilium-config change can change every verdict; nothing else matters. */
  static Subjects affectedBy(ClusterChange change, boolean configMatters) {
    Snapshot latest = change.latest();
    if (latest instanceof NodeSnapshot node) {
      return Subjects.of(List.of(node.ref()));
    }
    if (configMatters && latest instanceof io.chainwatch.model.CiliumConfigSnapshot) {
      return Subjects.ALL;
    }
    return Subjects.NONE;
  }

  static Optional<NodeReport> reportOf(ResourceRef subject, ClusterView view) {
    return view.node(subject.name()).map(NodeSnapshot::report).filter(report -> report.problem() == null);
  }

  /**
   * One interface's rp_filter as evidence, its keys in a fixed order: {@code Map.of} iterates in an order that changes
   * from one JVM to the next, and scan's lines, the audit records and Slack must read the same every time.
   */
  static Map<String, Object> interfaceEvidence(String iface, Integer value, Integer effective) {
    Map<String, Object> entry = new java.util.LinkedHashMap<>();
    entry.put("interface", iface);
    entry.put("value", value);
    entry.put("effective", effective);
    return java.util.Collections.unmodifiableMap(entry);
  }

  /** Interfaces whose effective rp_filter is not 0 among {@code lxc*}, {@code cilium_host}, {@code cilium_net}. */
  static List<Map<String, Object>> filteredCiliumInterfaces(NodeReport report) {
    List<Map<String, Object>> offending = new ArrayList<>();
    report.rpFilter().keySet().stream().sorted().forEach(iface -> {
      boolean cilium = NodeReport.isCiliumInterface(iface);
      Integer effective = report.effectiveRpFilter(iface);
      if (cilium && effective != null && effective != 0) {
        offending.add(interfaceEvidence(iface, report.rpFilter().get(iface), effective));
      }
    });
    return offending;
  }
}
