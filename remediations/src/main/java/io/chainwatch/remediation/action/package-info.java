/** Kubernetes writes: the eviction and the remediation state ConfigMap. Each makes one write per call. */
package io.chainwatch.remediation.action;
