package io.chainwatch.watcher.detect;

import io.chainwatch.config.Settings;
import io.chainwatch.model.CiliumConfigSnapshot;
import io.chainwatch.model.DaemonSetSnapshot;
import io.chainwatch.model.DetectorText;
import java.util.Set;
import io.chainwatch.model.ClusterChange;
import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingFacts;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.PolicySnapshot;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import io.chainwatch.model.Snapshot;
import io.chainwatch.watcher.view.ClusterView;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code l7-policy-in-chaining} (critical, page): a Cilium(Clusterwide)NetworkPolicy with DNS rules, toFQDNs or other
 * L7 rules in a GlobalRouter cluster where Cilium is chained over the bridge (cbr0) without overlay: DNS queries of the
 * selected pods time out, because TPROXY socket dispatch never happens on the bridge forwarding path. Names the policy
 * and how many running pods it selects. Not reported on VPC-CNI or in overlay, where L7 policy works.
 */
public final class L7PolicyInChainingDetector implements Detector {
  public static final String ID = "l7-policy-in-chaining";
  /** Its declaration: registered in {@link DetectorCatalog#ALL}; part of the deployment doctor. */
  public static final DetectorSpec SPEC = new DetectorSpec(ID, new DetectorText(
      "DNS/L7 policy cannot work under bridge chaining",
      "DNS and other L7 rules need Cilium's proxy, which the bridge forwarding path of GlobalRouter chaining never"
          + " reaches: switch Cilium to overlay (tunnel) routing, or take the DNS/toFQDNs/L7 rules out of the named"
          + " policy (field report: L7 policy with GlobalRouter chaining)."),
      DetectorSpec.enabledSetting(ID, "Report DNS, toFQDNs and L7 policy rules that cannot work under GlobalRouter "
          + "bridge chaining without overlay."),
      Settings.DOCTOR_ENABLED, List.of(),
      Set.of(PolicySnapshot.class, CiliumConfigSnapshot.class, DaemonSetSnapshot.class),
      config -> new L7PolicyInChainingDetector(config.hostDetectors().baseCni(), config.hostDetectors().routingMode()));

  private final String configuredBaseCni;
  private final String configuredRouting;

  public L7PolicyInChainingDetector(String configuredBaseCni, String configuredRouting) {
    this.configuredBaseCni = configuredBaseCni;
    this.configuredRouting = configuredRouting;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Subjects affectedBy(ClusterChange change, ClusterView view) {
    Snapshot latest = change.latest();
    if (latest instanceof PolicySnapshot policy) {
      return Subjects.of(List.of(policy.ref()));
    }
    if (latest instanceof io.chainwatch.model.CiliumConfigSnapshot
        || latest instanceof io.chainwatch.model.DaemonSetSnapshot) {
      return Subjects.ALL;
    }
    return Subjects.NONE; // the count of selected pods is refreshed by the sweep
  }

  @Override
  public Collection<ResourceRef> allSubjects(ClusterView view) {
    return view.policies().stream().filter(policy -> !policy.l7().isEmpty()).map(PolicySnapshot::ref).toList();
  }

  @Override
  public Evaluation evaluate(ResourceRef subject, ClusterView view, Instant now) {
    PolicySnapshot policy = view.policies().stream().filter(p -> p.ref().equals(subject)).findFirst().orElse(null);
    if (policy == null || policy.l7().isEmpty()) {
      return Evaluation.NOTHING;
    }
    ClusterShape shape = ClusterShape.of(view, configuredBaseCni, configuredRouting);
    if (!shape.baseCni().equals(ClusterShape.GLOBAL_ROUTER) || !shape.chained() || shape.overlay()) {
      return Evaluation.NOTHING;
    }
    long selected = view.pods().stream().filter(PodSnapshot::running).filter(pod -> !pod.hostNetwork())
        .filter(policy::selects).count();
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put("l7Rules", policy.l7());
    evidence.put("runningPodsSelected", selected);
    evidence.put("baseCni", shape.baseCni());
    evidence.put("chainingMode", shape.chainingMode());
    evidence.put("signals", shape.signals());
    evidence.put(FindingFacts.ACTION_REASON, "a policy or deployment choice only a person can change");
    String summary = subject.kind() + " " + (policy.namespace() == null ? "" : policy.namespace() + "/")
        + policy.name() + " uses L7 rules (" + String.join(", ", policy.l7()) + ") and selects " + selected
        + " running pod(s), but Cilium is chained over GlobalRouter's bridge (cbr0): on the bridge forwarding path "
        + "TPROXY socket dispatch never happens, so the selected pods' DNS queries time out. Drop the L7 rules or "
        + "move Cilium to overlay mode, where L7 policy works.";
    return Evaluation.of(new Finding(ID, subject, null, Severity.CRITICAL, PlannedAction.PAGE, "l7-on-bridge",
        summary, now, evidence));
  }
}
