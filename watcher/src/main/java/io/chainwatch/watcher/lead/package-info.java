/** Leader election: only the Lease holder writes (remediation, pages); its right to write is fenced by the lease. */
package io.chainwatch.watcher.lead;
