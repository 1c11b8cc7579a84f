/**
 * The shared vocabulary: slim cluster snapshots, findings and the other bus records. No fabric8, Slack or Kafka types.
 */
package io.chainwatch.model;
