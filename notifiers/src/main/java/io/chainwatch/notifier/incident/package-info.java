/** The incident lifecycle: grouping, escalation, resolution, flaps, silences, storms. Pure: no I/O, no clock. */
package io.chainwatch.notifier.incident;
