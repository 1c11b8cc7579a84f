/**
 * The node probe: a DaemonSet agent that only reads host facts (rp_filter values, the local cilium-health view) and
 * publishes them as the {@code chainwatch.io/node-report} annotation on its Node. It judges nothing; the watcher's
 * detectors do. Depends on the JDK and Jackson only.
 */
package io.chainwatch.probe;
