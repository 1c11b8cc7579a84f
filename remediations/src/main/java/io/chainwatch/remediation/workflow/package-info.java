/**
 * Remediation as pure workflows: each takes the state, an event and the time, changes the state and returns the
 * effects to perform (save, evict, ask a probe, publish, decide again). No I/O, clock, bus or client here: the verticle
 * feeds events in and performs the effects.
 */
package io.chainwatch.remediation.workflow;
