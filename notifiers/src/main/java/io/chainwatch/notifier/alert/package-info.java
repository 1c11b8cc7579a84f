/** What the pager notifiers share: a saved outbox of HTTP calls, sent in order with the same retry discipline. */
package io.chainwatch.notifier.alert;
