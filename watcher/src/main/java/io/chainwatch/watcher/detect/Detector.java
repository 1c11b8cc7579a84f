package io.chainwatch.watcher.detect;

import io.chainwatch.model.ClusterChange;
import io.chainwatch.model.Finding;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.watcher.view.ClusterView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * One rule over the cluster view. Pure: the same view and the same {@code now} give the same result. Detectors read
 * only the view and fabric8-free snapshots; they never touch the clock, the bus or the network.
 *
 * <p>A detector judges <em>subjects</em> (a pod, a node). Events re-evaluate only the subjects they touch, a deadline
 * re-evaluates one subject, and the sweep re-evaluates all: all three call {@link #evaluate}.
 */
public interface Detector {
  /** Stable kebab-case id; appears in configuration keys, dedup keys and output. */
  String id();

  /** Why the detector cannot judge this cluster at all (then it reports nothing), or empty when it is active. */
  default Optional<String> inactiveReason(ClusterView view) {
    return Optional.empty();
  }

  /**
   * The snapshot types whose changes can change this detector's verdicts, as its declaration says; only those changes
   * are offered to {@link #affectedBy}. Empty: every change (a detector without a declaration, in a test).
   */
  default Optional<java.util.Set<Class<? extends io.chainwatch.model.Snapshot>>> reads() {
    return DetectorCatalog.find(id()).map(DetectorSpec::reads);
  }

  /** Subjects whose evaluation may differ after {@code change}. */
  Subjects affectedBy(ClusterChange change, ClusterView view);

  /** Every subject the detector could report on, for the sweep. */
  Collection<ResourceRef> allSubjects(ClusterView view);

  /** Judges one subject as of {@code now}. A subject that no longer exists gives an empty evaluation. */
  Evaluation evaluate(ResourceRef subject, ClusterView view, Instant now);

  /** Every finding over the whole view: what {@code scan} prints. */
  default List<Finding> detectAll(ClusterView view, Instant now) {
    List<Finding> findings = new ArrayList<>();
    if (inactiveReason(view).isPresent()) {
      return findings;
    }
    for (ResourceRef subject : allSubjects(view)) {
      findings.addAll(evaluate(subject, view, now).findings());
    }
    return findings;
  }
}
