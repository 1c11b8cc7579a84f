/** Opsgenie Alert API: one alert per incident (alias = incident id), created, noted, updated and closed with it. */
package io.chainwatch.notifier.opsgenie;
