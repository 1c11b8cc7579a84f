/**
 * Between findings and people: incidents ({@code .incident}, pure), and delivery to Kafka ({@code .kafka}), Slack
 * ({@code .slack}) and Kubernetes Events ({@code .event}). Depends on {@code model}, {@code config}, kafka-clients, the
 * Slack SDK, the fabric8 client API and Vert.x; never on {@code watcher} or {@code remediations}: they meet through
 * the bus records of {@code model}.
 */
package io.chainwatch.notifier;
