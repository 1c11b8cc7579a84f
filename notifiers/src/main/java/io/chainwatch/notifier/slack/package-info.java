/** Slack delivery: one root message per incident, edited in place, with a thread of what happened. */
package io.chainwatch.notifier.slack;
