package io.chainwatch.watcher.detect;

import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.watcher.view.ClusterView;

/**
 * Whether a pod-level finding plans a restart or a page (every pod detector asks here): a restart only when the pod's owner recreates it and neither
 * the pod nor its namespace opted out (the remediation gate checks again when it acts).
 *
 * @param action restart or page
 * @param why the reason, for the evidence ({@code actionReason})
 * @param sentence what the summary says about it
 */
record RestartChoice(PlannedAction action, String why, String sentence) {
  /**
   * @param whatTheNewPodGets why a new pod fixes it, appended to "its ReplicaSet web recreates it"
   */
  static RestartChoice of(PodSnapshot pod, ClusterView view, String whatTheNewPodGets) {
    var optOut = io.chainwatch.model.RemediationOptOut.of(pod, view.namespace(pod.namespace()).orElse(null));
    if (optOut.isPresent()) {
      return page(optOut.get().reason());
    }
    if (pod.owner() == null) {
      return page("it is a bare pod: nothing would recreate it after a restart");
    }
    if (!MissedCiliumChainDetector.RECREATING_OWNERS.contains(pod.owner().kind())) {
      return page("its owner " + pod.owner().kind() + "/" + pod.owner().name() + " does not recreate evicted pods");
    }
    String why = "its " + pod.owner().kind() + " " + pod.owner().name() + " recreates it" + whatTheNewPodGets;
    return new RestartChoice(PlannedAction.RESTART, why, "Restart it: " + why + ".");
  }

  static RestartChoice page(String why) {
    return new RestartChoice(PlannedAction.PAGE, why, "chainwatch will not restart it because " + why
        + ": a person must recreate it.");
  }
}
