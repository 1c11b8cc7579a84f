/** Kubernetes Events (events.k8s.io/v1) on the affected pods and nodes, aggregated as series. */
package io.chainwatch.notifier.event;
