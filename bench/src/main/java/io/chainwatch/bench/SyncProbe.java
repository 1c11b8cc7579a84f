package io.chainwatch.bench;

import io.chainwatch.watcher.Chainwatch;
import io.chainwatch.watcher.Configuration;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs in a child JVM with a fixed heap cap ({@code <mode> <apiUrl> <stateDir>}, the last chainwatch's, owned by the
 * parent): syncs one watcher against the benchmark API server and prints one line,
 * {@code seconds peakHeapBytes retainedHeapBytes}. Mode {@code chainwatch} runs the real pipeline; mode
 * {@code baseline} runs what a user would write: typed informers with default stores and no list paging.
 */
public final class SyncProbe {
  private SyncProbe() {}

  public static void main(String[] args) throws Exception {
    io.chainwatch.watcher.logging.Logging.configure("warn", io.chainwatch.watcher.logging.Logging.Format.PLAIN,
        "error");
    String mode = args[0];
    String url = args[1];
    String stateDir = args[2];
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      pool.resetPeakUsage();
    }
    long t0 = System.nanoTime();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
        .withMasterUrl(url).withRequestTimeout(600_000).withRequestRetryBackoffLimit(0).build()).build()) {
      Object keep;
      if ("chainwatch".equals(mode)) {
        Chainwatch chainwatch = Chainwatch.start(Configuration.load(null, Map.of("CHAINWATCH_HTTP_PORT", "0",
            "CHAINWATCH_LOG_LEVEL", "warn",
            // the default, /var/lib/chainwatch, holds the incidents of every earlier run on the machine: the sync
            // measured loaded them all again (28,000 incidents, 36 MB, after some weeks of runs)
            "CHAINWATCH_STATE_DIR", stateDir)),
            client, Clock.systemUTC(), new PrintStream(OutputStream.nullOutputStream()));
        while (!chainwatch.ready()) {
          Thread.sleep(10);
        }
        keep = chainwatch;
      } else {
        ResourceDefinitionContext endpoints = new ResourceDefinitionContext.Builder().withGroup("cilium.io")
            .withVersion("v2").withKind("CiliumEndpoint").withPlural("ciliumendpoints").withNamespaced(true).build();
        List<SharedIndexInformer<?>> informers = List.of(
            client.pods().inAnyNamespace().inform(),
            client.nodes().inform(),
            client.genericKubernetesResources(endpoints).inAnyNamespace().inform());
        for (SharedIndexInformer<?> informer : informers) {
          informer.start().toCompletableFuture().get(600, TimeUnit.SECONDS);
        }
        keep = informers;
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      long peak = 0;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          peak += pool.getPeakUsage().getUsed();
        }
      }
      long retained = Heap.usedAfterGc();
      System.out.println("RESULT " + seconds + " " + peak + " " + retained + " " + keep.hashCode() % 1);
      System.out.flush();
      if (Boolean.getBoolean("bench.profile")) {
        System.exit(0); // lets a flight recording started with dumponexit=true write its file
      }
      Runtime.getRuntime().halt(0); // informer and Vert.x threads need not wind down
    }
  }

}
