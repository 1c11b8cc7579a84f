/**
 * Remediation: findings whose planned action is restart become evictions behind one safety gate. The policy
 * ({@code .policy}) is pure; the Kubernetes writes ({@code .action}) sit at the edge; {@link
 * io.chainwatch.remediation.RemediationVerticle} connects them to the bus. Depends on {@code model}, {@code config},
 * the fabric8 client API and Vert.x; never on {@code watcher} or {@code notifiers}.
 */
package io.chainwatch.remediation;
