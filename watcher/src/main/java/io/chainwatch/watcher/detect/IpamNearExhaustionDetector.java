package io.chainwatch.watcher.detect;

import io.chainwatch.config.Parsers;
import io.chainwatch.config.Setting;
import io.chainwatch.model.CiliumConfigSnapshot;
import io.chainwatch.model.CiliumNodeSnapshot;
import io.chainwatch.model.ClusterChange;
import io.chainwatch.model.DetectorText;
import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingFacts;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.SandboxFailureSnapshot;
import io.chainwatch.model.Severity;
import io.chainwatch.watcher.view.ClusterView;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code ipam-near-exhaustion} (warning, page): a node is about to run out of pod addresses while nothing waits yet.
 * Where the node's range is fixed (cluster-pool, kubernetes, crd) that is use at or above {@code threshold} of it;
 * where the operator grows the pool on demand (ENI, Azure, AlibabaCloud, multi-pool) a full pool is normal and only the
 * operator's own allocation error ({@code status.ipam.operator-status.error}) says it cannot grow. Not judged when Cilium
 * is chained (the base CNI's IPAM gives the addresses), nor on a node where pods already wait ({@code ipam-exhausted}).
 */
public final class IpamNearExhaustionDetector implements Detector {
  public static final String ID = "ipam-near-exhaustion";
  public static final Setting<Double> THRESHOLD = new Setting<>("detectors.ipam-near-exhaustion.threshold", "0.9",
      "a number from 0.5 to 1 such as 0.9", Parsers.fraction(0.5, 1),
      "Share of a fixed pod range in use from which a node is reported.", false);
  /** Its declaration: registered in {@link DetectorCatalog#ALL}. */
  public static final DetectorSpec SPEC = new DetectorSpec(ID, new DetectorText("Node running out of pod IP addresses",
      "kubectl get ciliumnode <node> -o yaml (spec.ipam, status.ipam); act before pods start to wait: the fix for the "
          + "IPAM mode is in the finding.",
      io.chainwatch.model.FleetDimension.NODE_POOL),
      DetectorSpec.enabledSetting(ID, "Report nodes about to run out of pod addresses (from CiliumNode IPAM)."),
      null, List.of(THRESHOLD), Set.of(CiliumNodeSnapshot.class, PodSnapshot.class, SandboxFailureSnapshot.class,
          NodeSnapshot.class, CiliumConfigSnapshot.class),
      config -> new IpamNearExhaustionDetector(config.value(THRESHOLD)));

  private final double threshold;

  public IpamNearExhaustionDetector(double threshold) {
    this.threshold = threshold;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Subjects affectedBy(ClusterChange change, ClusterView view) {
    return IpamFacts.affectedBy(change, view);
  }

  @Override
  public Collection<ResourceRef> allSubjects(ClusterView view) {
    return IpamFacts.subjects(view);
  }

  @Override
  public Evaluation evaluate(ResourceRef subject, ClusterView view, Instant now) {
    String node = subject.name();
    CiliumNodeSnapshot ciliumNode = view.ciliumNode(node).orElse(null);
    if (ciliumNode == null || IpamFacts.chained(view) || !IpamFacts.waiting(node, view, now).isEmpty()) {
      return Evaluation.NOTHING;
    }
    String mode = IpamFacts.mode(view);
    Optional<IpamFacts.Capacity> capacity = IpamFacts.capacity(mode, ciliumNode, view.node(node).orElse(null), view);
    String operatorError = ciliumNode.ipam().operatorError();
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put("ipamMode", mode);
    // the share in steps of 5 %, not the count: each pod started or gone would otherwise be a new finding
    capacity.ifPresent(c -> {
      evidence.put("capacity", c.capacity());
      evidence.put("usedPercentAtLeast", c.capacity() == 0 ? 0 : (int) (100L * c.used() / c.capacity()) / 5 * 5);
      evidence.put("basis", c.basis());
    });
    evidence.put(FindingFacts.ACTION_REASON, "more addresses come from a change only a person can make");
    String summary;
    if (IpamFacts.DYNAMIC.contains(mode)) {
      if (operatorError == null) {
        return Evaluation.NOTHING; // the operator grows the pool as pods come: a full pool is its normal state
      }
      evidence.put("operatorError", operatorError);
      summary = "Node " + node + ": cilium-operator cannot add addresses to the node's " + mode + " pool ("
          + operatorError + ")" + capacity.map(c -> "; " + c.used() + " of " + c.capacity() + " in use").orElse("")
          + ": the next pods beyond it will wait for an address. " + IpamFacts.fix(mode);
    } else {
      if (capacity.isEmpty() || capacity.get().capacity() == 0
          || capacity.get().used() < Math.ceil(threshold * capacity.get().capacity())) {
        return Evaluation.NOTHING;
      }
      IpamFacts.Capacity c = capacity.get();
      evidence.put("threshold", threshold);
      summary = "Node " + node + " uses " + c.used() + (c.estimated() ? " (estimated from its pods)" : "") + " of its "
          + c.capacity() + " pod addresses (" + mode + " IPAM), " + c.free() + " left: pods beyond them will wait for "
          + "an address. " + IpamFacts.fix(mode);
    }
    return Evaluation.of(new Finding(ID, subject, node, Severity.WARNING, PlannedAction.PAGE,
        IpamFacts.DYNAMIC.contains(mode) ? "operator-cannot-allocate" : "range-nearly-full", summary, now, evidence));
  }
}
