/** Event-bus addresses and local codecs. Depends on {@code io.chainwatch.model} and vertx-core only. */
package io.chainwatch.bus;
