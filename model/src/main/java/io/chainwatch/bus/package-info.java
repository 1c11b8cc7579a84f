/**
 * Event-bus addresses, local codecs, and the one way to worker threads. Depends on {@code io.chainwatch.model} and
 * vertx-core only.
 */
package io.chainwatch.bus;
