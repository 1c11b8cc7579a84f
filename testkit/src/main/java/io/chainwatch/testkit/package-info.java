/** Real components started in process for tests, the demo and the benchmark. Never in the production jar. */
package io.chainwatch.testkit;
