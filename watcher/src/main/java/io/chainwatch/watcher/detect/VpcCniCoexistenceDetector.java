package io.chainwatch.watcher.detect;

import io.chainwatch.config.Settings;
import io.chainwatch.model.DetectorText;
import io.chainwatch.model.CiliumConfigSnapshot;
import io.chainwatch.model.ClusterChange;
import io.chainwatch.model.DaemonSetSnapshot;
import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingFacts;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.PodNetworkRequest;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import io.chainwatch.watcher.view.ClusterView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code vpc-cni-coexistence-broken} (critical, page): a pod asks for a VPC-CNI network with
 * {@code tke.cloud.tencent.com/networks} ({@code tke-route-eni}, or {@code tke-direct-eni}) but its IP lies in its
 * node's GlobalRouter pod range ({@code spec.podCIDR(s)}): under Cilium chaining multus delegates every pod to
 * tke-bridge, so the annotation has no effect and the pod's traffic never takes the VPC-CNI path. Not reported when
 * Cilium is not chained, on a VPC-CNI cluster, or for pods that got an address outside their node's pod range (a VPC
 * IP).
 */
public final class VpcCniCoexistenceDetector implements Detector {
  public static final String ID = "vpc-cni-coexistence-broken";
  /** Its declaration: registered in {@link DetectorCatalog#ALL}; part of the deployment doctor. */
  public static final DetectorSpec SPEC = new DetectorSpec(ID, new DetectorText(
      "VPC-CNI network annotation ignored under Cilium chaining",
      "With Cilium chained, multus hands every pod to tke-bridge and tke.cloud.tencent.com/networks has no effect: move"
          + " workloads that need VPC IPs to a VPC-CNI cluster, or drop the annotation where a GlobalRouter IP will do."),
      DetectorSpec.enabledSetting(ID, "Report pods that ask for a VPC-CNI network but got a GlobalRouter IP under "
          + "Cilium chaining."),
      Settings.DOCTOR_ENABLED, List.of(),
      Set.of(PodSnapshot.class, NodeSnapshot.class, CiliumConfigSnapshot.class,
          DaemonSetSnapshot.class),
      config -> new VpcCniCoexistenceDetector(config.hostDetectors().baseCni(),
          config.hostDetectors().routingMode()));
  /** The networks of TKE's GlobalRouter + VPC-CNI coexistence that give a pod a VPC IP. */
  static final Set<String> VPC_CNI_NETWORKS = Set.of("tke-route-eni", "tke-direct-eni");

  private final String configuredBaseCni;
  private final String configuredRouting;

  public VpcCniCoexistenceDetector(String configuredBaseCni, String configuredRouting) {
    this.configuredBaseCni = configuredBaseCni;
    this.configuredRouting = configuredRouting;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Subjects affectedBy(ClusterChange change, ClusterView view) {
    if (change.latest() instanceof PodSnapshot pod) {
      boolean relevant = (change.before() instanceof PodSnapshot before && before.networkRequest() != null)
          || pod.networkRequest() != null;
      return relevant ? Subjects.of(List.of(pod.ref())) : Subjects.NONE;
    }
    if (change.latest() instanceof NodeSnapshot node) {
      return Subjects.of(view.podsOnNode(node.name()).stream().filter(pod -> pod.networkRequest() != null)
          .map(PodSnapshot::ref).toList());
    }
    if (change.latest() instanceof CiliumConfigSnapshot || change.latest() instanceof DaemonSetSnapshot) {
      return Subjects.ALL;
    }
    return Subjects.NONE;
  }

  @Override
  public Collection<ResourceRef> allSubjects(ClusterView view) {
    return view.pods().stream().filter(pod -> pod.networkRequest() != null).map(PodSnapshot::ref).toList();
  }

  @Override
  public Evaluation evaluate(ResourceRef subject, ClusterView view, Instant now) {
    PodSnapshot pod = view.pod(subject.namespace(), subject.name()).orElse(null);
    if (pod == null || pod.networkRequest() == null || pod.hostNetwork() || pod.terminating()) {
      return Evaluation.NOTHING;
    }
    PodNetworkRequest request = pod.networkRequest();
    List<String> vpcNetworks = requestedVpcNetworks(request.networks());
    if (vpcNetworks.isEmpty() || request.podIp() == null || request.podIp().isBlank()) {
      return Evaluation.NOTHING;
    }
    ClusterShape shape = ClusterShape.of(view, configuredBaseCni, configuredRouting);
    if (!shape.chained() || shape.baseCni().equals(ClusterShape.VPC_CNI)) {
      return Evaluation.NOTHING;
    }
    // tke-bridge takes a pod's IP from its own node's range, so that range is the only one to check.
    Optional<Cidr> range = pod.nodeName() == null ? Optional.empty()
        : view.node(pod.nodeName()).flatMap(node -> rangeHolding(request.podIp(), node));
    if (range.isEmpty()) {
      return Evaluation.NOTHING; // a VPC IP: the request worked
    }
    String cidr = range.get().text();
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put("networksAnnotation", request.networks());
    evidence.put("podIp", request.podIp());
    evidence.put("nodePodCIDR", cidr);
    evidence.put("baseCni", shape.baseCni());
    evidence.put("vpcCniEnabled", shape.vpcCniAddon());
    evidence.put("chainingMode", shape.chainingMode());
    evidence.put("signals", shape.signals());
    evidence.put(FindingFacts.ACTION_REASON, "a restart gets a GlobalRouter IP again: only a person can move the workload");
    String summary = "Pod " + pod.namespace() + "/" + pod.name() + " asks for " + String.join(", ", vpcNetworks)
        + " (tke.cloud.tencent.com/networks) but got " + request.podIp() + " from node " + pod.nodeName()
        + "'s GlobalRouter pod range " + cidr + ": with Cilium chained (" + shape.chainingMode() + "), multus hands "
        + "every pod to tke-bridge, so the annotation has no effect and the pod's traffic does not take the VPC-CNI "
        + "path. Workloads that need VPC IPs next to Cilium need a VPC-CNI cluster.";
    return Evaluation.of(new Finding(ID, subject, pod.nodeName(), Severity.CRITICAL, PlannedAction.PAGE,
        "global-router-ip", summary, now, evidence));
  }

  /** The VPC-CNI networks named in the annotation; it may list several, comma-separated or as a JSON list. */
  static List<String> requestedVpcNetworks(String annotation) {
    List<String> found = new ArrayList<>();
    for (String token : annotation.split("[^A-Za-z0-9._-]+")) {
      if (VPC_CNI_NETWORKS.contains(token) && !found.contains(token)) {
        found.add(token);
      }
    }
    return found;
  }

  private static Optional<Cidr> rangeHolding(String ip, NodeSnapshot node) {
    return node.podCidrs().stream().map(Cidr::parse).flatMap(Optional::stream).filter(cidr -> cidr.contains(ip))
        .findFirst();
  }
}
