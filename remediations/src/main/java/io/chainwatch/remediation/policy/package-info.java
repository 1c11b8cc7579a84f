/** The remediation policy and the history it judges against: pure, no client, no clock, no I/O. */
package io.chainwatch.remediation.policy;
