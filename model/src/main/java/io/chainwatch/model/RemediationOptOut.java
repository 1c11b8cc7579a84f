package io.chainwatch.model;

import java.util.Optional;

/**
 * A person's "do not touch": the annotation {@code chainwatch.io/remediation: disabled} on a pod, its namespace or a
 * node. One rule, read by the detector (which then plans a page) and by the remediation policy (which refuses to act
 * whatever the detector planned).
 *
 * @param rule which opt-out applies
 * @param reason says which object carries the annotation
 */
public record RemediationOptOut(RemediationRule rule, String reason) {
  public static final String ANNOTATION = "chainwatch.io/remediation";

  /** Whether an annotation value opts out ({@code disabled}, in any case). */
  public static boolean disables(String annotationValue) {
    return "disabled".equalsIgnoreCase(annotationValue);
  }

  /** The opt-out that keeps chainwatch's hands off {@code pod}, if any; the pod's own wins. */
  public static Optional<RemediationOptOut> of(PodSnapshot pod, NamespaceSnapshot namespace) {
    if (pod.remediationDisabled()) {
      return Optional.of(new RemediationOptOut(RemediationRule.POD_OPT_OUT,
          "the pod is annotated " + ANNOTATION + ": disabled"));
    }
    if (namespace != null && namespace.remediationDisabled()) {
      return Optional.of(new RemediationOptOut(RemediationRule.NAMESPACE_OPT_OUT,
          "namespace " + pod.namespace() + " is annotated " + ANNOTATION + ": disabled"));
    }
    return Optional.empty();
  }

  /** The opt-out of a node (host repairs), if any. */
  public static Optional<RemediationOptOut> of(NodeSnapshot node) {
    return disables(node.annotations().get(ANNOTATION))
        ? Optional.of(new RemediationOptOut(RemediationRule.NODE_OPT_OUT,
            "node " + node.name() + " is annotated " + ANNOTATION + ": disabled"))
        : Optional.empty();
  }
}
