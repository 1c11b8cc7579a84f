/** Kafka delivery: records as CloudEvents, spooled on disk until the broker acknowledges them. */
package io.chainwatch.notifier.kafka;
