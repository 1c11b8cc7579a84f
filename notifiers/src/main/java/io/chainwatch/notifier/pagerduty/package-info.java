/** PagerDuty Events API v2: one alert per incident, triggered, updated and resolved with it. */
package io.chainwatch.notifier.pagerduty;
