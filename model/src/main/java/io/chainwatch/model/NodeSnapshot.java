package io.chainwatch.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What detectors need to know about a node.
 *
 * @param name node name
 * @param createdAt {@code metadata.creationTimestamp}
 * @param ready the Ready condition is True
 * @param labels node labels
 * @param taints taints rendered as {@code key=value:effect} (value omitted when empty)
 * @param annotations the node annotations chainwatch reads ({@code chainwatch.io/*}); others are dropped, and the
 *     node report is held parsed in {@code report} instead
 * @param report the node probe's report, {@code null} when the node has none
 * @param podCidrs {@code spec.podCIDRs} (or {@code spec.podCIDR}): the node's pod range under GlobalRouter, as
 *     written (detectors parse them and skip what does not parse)
 * @param osImage {@code status.nodeInfo.osImage}, {@code null} when absent (whether systemd-sysctl runs there)
 * @param kernelVersion {@code status.nodeInfo.kernelVersion}, {@code null} when absent (a fleet fact on records)
 * @param kubeletVersion {@code status.nodeInfo.kubeletVersion}, {@code null} when absent (a fleet fact on records)
 */
public record NodeSnapshot(
    String name,
    Instant createdAt,
    boolean ready,
    Map<String, String> labels,
    List<String> taints,
    Map<String, String> annotations,
    NodeReport report,
    List<String> podCidrs,
    String osImage,
    String kernelVersion,
    String kubeletVersion)
    implements Snapshot {
  public NodeSnapshot {
    Objects.requireNonNull(name, "name");
    labels = Map.copyOf(labels);
    taints = List.copyOf(taints);
    annotations = Map.copyOf(annotations);
    podCidrs = List.copyOf(podCidrs);
  }

  public NodeSnapshot(String name, Instant createdAt, boolean ready, Map<String, String> labels, List<String> taints,
      Map<String, String> annotations, NodeReport report, List<String> podCidrs, String osImage) {
    this(name, createdAt, ready, labels, taints, annotations, report, podCidrs, osImage, null, null);
  }

  public NodeSnapshot(String name, Instant createdAt, boolean ready, Map<String, String> labels, List<String> taints,
      Map<String, String> annotations, NodeReport report, List<String> podCidrs) {
    this(name, createdAt, ready, labels, taints, annotations, report, podCidrs, null);
  }

  public NodeSnapshot(String name, Instant createdAt, boolean ready, Map<String, String> labels, List<String> taints,
      Map<String, String> annotations, NodeReport report) {
    this(name, createdAt, ready, labels, taints, annotations, report, List.of());
  }

  public NodeSnapshot(String name, Instant createdAt, boolean ready, Map<String, String> labels, List<String> taints,
      Map<String, String> annotations) {
    this(name, createdAt, ready, labels, taints, annotations, null, List.of());
  }

  @Override
  public ResourceRef ref() {
    return ResourceRef.node(name);
  }
}
