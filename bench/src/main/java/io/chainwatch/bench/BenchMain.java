package io.chainwatch.bench;

import java.awt.Color;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark harness: heap per cached object, pipeline throughput and latency, and initial sync, each next to
 * what a user would otherwise run. Prints a Markdown report and writes it, with plots, to {@code --out}.
 *
 * <pre>java -Xmx8g -jar bench/target/chainwatch-bench.jar [--quick] [--runs N] [--out DIR]</pre>
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    // what the product logs at info (and its broker) is not the benchmark's output, and costs throughput
    io.chainwatch.watcher.logging.Logging.configure("warn", io.chainwatch.watcher.logging.Logging.Format.PLAIN,
        "error");
    run(List.of(args), System.out);
    System.exit(0);
  }

  /** Runs the harness; returns the Markdown report. */
  public static String run(List<String> args, PrintStream progress) throws Exception {
    boolean quick = args.contains("--quick");
    int runs = option(args, "--runs", quick ? 1 : 3);
    Path out = Path.of(optionText(args, "--out", quick ? "target/bench-quick" : "bench/results"));
    Files.createDirectories(out);
    List<Integer> sizes = quick ? List.of(1_000, 3_000) : List.of(10_000, 50_000, 150_000);
    int throughputPods = quick ? 3_000 : 50_000;
    double latencySeconds = quick ? 2 : 10;
    String only = optionText(args, "--only", "all");

    StringBuilder report = new StringBuilder();
    report.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
        .append(System.getProperty("java.version")).append(", max heap ")
        .append(Runtime.getRuntime().maxMemory() >> 20).append(" MiB, collectors ")
        .append(java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
            .map(java.lang.management.GarbageCollectorMXBean::getName).toList())
        .append(", JVM flags ").append(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments())
        .append(", ").append(System.getProperty("os.name"))
        .append(' ').append(System.getProperty("os.arch")).append(". Runs per figure: ").append(runs)
        .append(quick ? " (quick mode: small sizes, figures not meaningful)" : "").append(".\n\n");

    if (only.equals("all") || only.equals("memory")) {
      memorySection(report, progress, sizes, runs, out);
    }
    if (only.equals("all") || only.equals("sweep")) {
      sweepSection(report, progress, sizes, runs);
    }
    if (only.equals("all") || only.equals("pipeline")) {
      pipelineSection(report, progress, runs, throughputPods, latencySeconds, out);
    }
    if (only.equals("all") || only.equals("remediation")) {
      remediationSection(report, progress, quick ? 5 : 20, runs);
    }
    if (only.equals("all") || only.equals("audit")) {
      auditSection(report, progress, quick ? 5_000 : 100_000, runs);
    }
    if (only.equals("all") || only.equals("fleet")) {
      fleetSection(report, progress, quick ? 5_000 : 100_000, quick ? 3 : 30, runs);
    }
    if (only.equals("all") || only.equals("sync")) {
      syncSection(report, progress, sizes, runs, quick, out);
    }
    if (only.equals("all") || only.equals("scan")) {
      scanSection(report, progress, quick ? 5 : 100, quick ? 3 : 64, runs);
    }

    Files.writeString(out.resolve("results.md"), report.toString(), StandardCharsets.UTF_8);
    progress.println();
    progress.println(report);
    return report.toString();
  }

  private static void scanSection(StringBuilder report, PrintStream progress, int jsonMegabytes, int yamlMegabytes,
      int runs) throws Exception {
    progress.println("scan ...");
    try (ScratchDirectory scratch = ScratchDirectory.create("chainwatch-bench-scan")) {
      scanSection(report, progress, jsonMegabytes, yamlMegabytes, runs, scratch.path());
    }
  }

  private static void scanSection(StringBuilder report, PrintStream progress, int jsonMegabytes, int yamlMegabytes,
      int runs, Path dir) throws Exception {
    ScanBench bench = new ScanBench(dir);
    Path json = dir.resolve("dump.json");
    int pods = bench.writeJson(json, jsonMegabytes);
    List<Double> scans = new ArrayList<>();
    List<Double> defaultScans = new ArrayList<>();
    List<Double> pythons = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    for (int run = 0; run < runs; run++) {
      ScanBench.Timing scan = bench.scan(json, "1g", ScanBench.CLI_FLAGS);
      ScanBench.Timing defaults = bench.scan(json, "1g", List.of());
      ScanBench.Timing python = bench.python(json);
      if (scan.exit() == 2 || defaults.exit() == 2 || python.exit() != 0) {
        throw new IllegalStateException("scan exit " + scan.exit() + " (" + scan.tail() + "), python exit "
            + python.exit() + " (" + python.tail() + ")");
      }
      scans.add(scan.seconds());
      defaultScans.add(defaults.seconds());
      pythons.add(python.seconds());
      ratios.add(scan.seconds() / python.seconds());
      progress.println(String.format("  run %d: scan %.2f s (default JVM flags %.2f s), python json.load %.2f s", run,
          scan.seconds(), defaults.seconds(), python.seconds()));
    }
    Path smallJson = dir.resolve("small.json");
    int yamlPods = bench.writeJson(smallJson, yamlMegabytes * 100 / 117); // block-style YAML is ≈ 1.17 × the JSON
    Path yaml = dir.resolve("small.yaml");
    ScanBench.writeYaml(smallJson, yaml);
    List<Double> yamlScans = new ArrayList<>();
    List<Double> smallJsonScans = new ArrayList<>();
    for (int run = 0; run < runs; run++) {
      ScanBench.Timing fromYaml = bench.scan(yaml, "512m", ScanBench.CLI_FLAGS);
      ScanBench.Timing fromJson = bench.scan(smallJson, "512m", ScanBench.CLI_FLAGS);
      if (fromYaml.exit() == 2 || fromJson.exit() == 2) {
        throw new IllegalStateException("scan exit " + fromYaml.exit() + " (" + fromYaml.tail() + ") / "
            + fromJson.exit() + " (" + fromJson.tail() + ")");
      }
      yamlScans.add(fromYaml.seconds());
      smallJsonScans.add(fromJson.seconds());
    }
    report.append("\n## scan on a kubectl dump (whole commands: a JVM with a heap cap, and Python)\n\n")
        .append("chainwatch runs from ").append(ScanBench.classpath()).append(".\n\n")
        .append("| input | command | seconds |\n|---|---|---|\n")
        .append(String.format("| %.0f MB JSON List, %,d pods + endpoints | `chainwatch scan`, -Xmx1g %s | %s |%n",
            Files.size(json) / 1e6, pods, String.join(" ", ScanBench.CLI_FLAGS), Stats.of(scans).format("%.2f")))
        .append(String.format("| same file | `chainwatch scan`, -Xmx1g, default JVM flags | %s |%n",
            Stats.of(defaultScans).format("%.2f")))
        .append(String.format("| same file | `python3 -c 'json.load(f)'` (parse only) | %s |%n",
            Stats.of(pythons).format("%.2f")))
        .append(String.format("| %.0f MB YAML List, %,d pods + endpoints | `chainwatch scan`, -Xmx512m (same flags) | %s |%n",
            Files.size(yaml) / 1e6, yamlPods, Stats.of(yamlScans).format("%.2f")))
        .append(String.format("| the same content as %.0f MB JSON | `chainwatch scan`, -Xmx512m | %s |%n",
            Files.size(smallJson) / 1e6, Stats.of(smallJsonScans).format("%.2f")))
        .append(String.format("%nscan / json.load: **%s** (goal ≤ 0.5); YAML / JSON: **%.2f** (goal ≤ 3).%n",
            Stats.of(ratios).format("%.2f"), Stats.of(yamlScans).median() / Stats.of(smallJsonScans).median()));
  }

  private static void memorySection(StringBuilder report, PrintStream progress, List<Integer> sizes, int runs,
      Path out) throws Exception {
    progress.println("memory ...");
    report.append("## Heap per cached object (retained, after full GC)\n\n")
        .append("| pods (+ as many endpoints) | chainwatch B/pod | chainwatch B/endpoint | baseline B/pod | "
            + "baseline B/endpoint | chainwatch total MiB | baseline total MiB | ratio |\n|---|---|---|---|---|---|---|---|\n");
    MemoryBench memory = new MemoryBench();
    List<Double> xs = new ArrayList<>();
    List<Double> chainwatchMiB = new ArrayList<>();
    List<Double> baselineMiB = new ArrayList<>();
    for (int pods : sizes) {
      List<MemoryBench.Result> results = new ArrayList<>();
      for (int run = 0; run < runs; run++) {
        results.add(memory.measure(pods));
      }
      Stats perPod = Stats.of(results.stream().map(MemoryBench.Result::chainwatchPerPod).toList());
      Stats perEndpoint = Stats.of(results.stream().map(MemoryBench.Result::chainwatchPerEndpoint).toList());
      Stats basePod = Stats.of(results.stream().map(MemoryBench.Result::baselinePerPod).toList());
      Stats baseEndpoint = Stats.of(results.stream().map(MemoryBench.Result::baselinePerEndpoint).toList());
      Stats total = Stats.of(results.stream().map(r -> r.chainwatchTotal() / 1048576.0).toList());
      Stats baseTotal = Stats.of(results.stream().map(r -> r.baselineTotal() / 1048576.0).toList());
      report.append("| ").append(pods).append(" | ").append(perPod.format("%.0f")).append(" | ")
          .append(perEndpoint.format("%.0f")).append(" | ").append(basePod.format("%.0f")).append(" | ")
          .append(baseEndpoint.format("%.0f")).append(" | ").append(total.format("%.1f")).append(" | ")
          .append(baseTotal.format("%.1f")).append(" | ")
          .append(String.format("%.0f×", baseTotal.median() / total.median())).append(" |\n");
      xs.add(pods / 1000.0);
      chainwatchMiB.add(total.median());
      baselineMiB.add(baseTotal.median());
      progress.println("  " + pods + " pods: chainwatch " + perPod.format("%.0f") + " B/pod");
    }
    Plot.lines("Heap retained for N pods + N CiliumEndpoints", "pods (thousands)", "MiB", List.of(
        new Plot.Series("baseline: full fabric8 objects in informer caches", new Color(200, 60, 60), xs, baselineMiB),
        new Plot.Series("chainwatch: slim snapshots", new Color(40, 110, 200), xs, chainwatchMiB)),
        out.resolve("heap.png"));
  }

  private static void remediationSection(StringBuilder report, PrintStream progress, int singles, int runs)
      throws Exception {
    progress.println("remediation ...");
    report.append("\n## Remediation: evidence complete → eviction request at the API server (enforce mode)\n\n")
        .append("Evidence is complete at the pod's start time + minPodAge (").append(RemediationBench.MIN_POD_AGE)
        .append("); the node's agent has long been Ready. Each eviction is preceded by the intent written to the state "
            + "ConfigMap. Goals: one pod ≤ 1 s; 30 pods of different owners on one node all within 5 s.\n\n");
    List<Double> single = new ArrayList<>();
    List<Double> burstFirst = new ArrayList<>();
    List<Double> burstLast = new ArrayList<>();
    // default limits throughout: a fresh chainwatch per burst, so the global rate limit (60/min) and the breaker
    // (150 pods per 10 min) see each burst alone, as they would in a cluster
    try (RemediationBench bench = new RemediationBench()) {
      bench.burst(1); // warm-up
      for (int i = 0; i < singles; i++) {
        single.addAll(bench.burst(1).millis());
      }
    }
    for (int run = 0; run < runs; run++) {
      try (RemediationBench bench = new RemediationBench()) {
        bench.burst(1); // warm-up
        RemediationBench.Burst burst = bench.burst(30);
        burstFirst.add(burst.first());
        burstLast.add(burst.last());
        progress.println("  30-pod burst " + run + ": first " + Math.round(burst.first()) + " ms, last "
            + Math.round(burst.last()) + " ms");
      }
    }
    report.append("| case | samples | p50 ms | max ms |\n|---|---|---|---|\n")
        .append(String.format("| one pod | %d | %.0f | %.0f |%n", single.size(), Stats.percentile(single, 50),
            Stats.percentile(single, 100)))
        .append(String.format("| 30 pods, first eviction | %d bursts | %.0f | %.0f |%n", burstFirst.size(),
            Stats.percentile(burstFirst, 50), Stats.percentile(burstFirst, 100)))
        .append(String.format("| 30 pods, last eviction | %d bursts | %.0f | %.0f |%n", burstLast.size(),
            Stats.percentile(burstLast, 50), Stats.percentile(burstLast, 100)));
  }

  private static void sweepSection(StringBuilder report, PrintStream progress, List<Integer> sizes, int runs)
      throws Exception {
    progress.println("sweep ...");
    report.append("\n## The evaluator's full sweep (every detector over the whole view, on its event loop)\n\n")
        .append("The first sweep runs once the informers synced; the later one is what the periodic safety net ")
        .append("(`sweepInterval`, 5 min) runs with every finding already open. A pod is added 5 ms into the later ")
        .append("sweep: how long its change waits on the bus until the evaluator takes it is how long a sweep holds ")
        .append("the cluster's changes back.\n\n")
        .append("| pods (+ nodes, agents, endpoints) | first sweep ms | later sweep ms | a change during the later sweep ")
        .append("waited ms |\n|---|---|---|---|\n");
    SweepBench bench = new SweepBench();
    bench.measure(sizes.get(0)); // warm-up: the JIT
    for (int pods : sizes) {
      List<SweepBench.Result> results = new ArrayList<>();
      for (int run = 0; run < runs; run++) {
        results.add(bench.measure(pods));
      }
      report.append("| ").append(pods).append(" | ")
          .append(Stats.of(results.stream().map(SweepBench.Result::firstMillis).toList()).format("%.0f"))
          .append(" | ")
          .append(Stats.of(results.stream().map(SweepBench.Result::steadyMillis).toList()).format("%.0f"))
          .append(" | ")
          .append(Stats.of(results.stream().map(SweepBench.Result::eventDuringSweepMillis).toList()).format("%.1f"))
          .append(" |\n");
      progress.println("  " + pods + " pods: later sweep " + Math.round(Stats.of(results.stream()
          .map(SweepBench.Result::steadyMillis).toList()).median()) + " ms, a change during it waited "
          + Math.round(Stats.of(results.stream().map(SweepBench.Result::eventDuringSweepMillis).toList()).median())
          + " ms");
    }
  }

  private static void auditSection(StringBuilder report, PrintStream progress, int records, int runs)
      throws Exception {
    progress.println("audit ...");
    report.append("\n## Audit records to Kafka (real KRaft broker in process, acks=all, idempotent, spooled)\n\n")
        .append("| run | records | acknowledged/s | p50 ms at 50 % | p99 ms at 50 % | max ms at 50 % | dropped |\n")
        .append("|---|---|---|---|---|---|---|\n");
    for (int run = 0; run < runs; run++) {
      try (AuditBench bench = new AuditBench()) {
        bench.throughput(records / 5); // warm-up: JIT, topic creation, producer connections
        AuditBench.Throughput throughput = bench.throughput(records);
        // -Dbench.auditRate=N: latency at a fixed rate instead of half the flood's (to compare producer settings)
        String givenRate = System.getProperty("bench.auditRate", "0");
        double rate;
        try {
          rate = Double.parseDouble(givenRate);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("bench.auditRate: expected records per second, got \"" + givenRate + "\"");
        }
        AuditBench.Latency latency = bench.latency(rate > 0 ? rate : throughput.perSecond() * 0.5, 5);
        report.append(String.format("| %d | %d | %.0f | %.1f | %.1f | %.1f | %d |%n", run, throughput.records(),
            throughput.perSecond(), latency.p50Millis(), latency.p99Millis(), latency.maxMillis(),
            throughput.dropped()));
        progress.println("  run " + run + ": " + Math.round(throughput.perSecond()) + " records/s, p99 "
            + String.format("%.1f", latency.p99Millis()) + " ms");
      }
    }
  }

  private static void fleetSection(StringBuilder report, PrintStream progress, int records, int samples, int runs)
      throws Exception {
    progress.println("fleet ...");
    report.append("\n## Fleet correlator (Kafka Streams, exactly_once_v2, RocksDB; real KRaft broker in process)\n\n")
        .append("Input: audit records of ").append(FleetBench.CLUSTERS).append(" clusters (findings and cleared ")
        .append("findings as chainwatch's CloudEvent mapper writes them), produced before the instances")
        .append(" start; records/s from the first record processed to the last. Latency: from the send of the record ")
        .append("that makes a cause span two clusters to the fleet incident read with read_committed, while ")
        .append("background records flow at 500/s.\n\n")
        .append("| run | instances | records | bytes/record | records/s | p50 ms | p99 ms | max ms | samples |\n")
        .append("|---|---|---|---|---|---|---|---|---|\n");
    for (int run = 0; run < runs; run++) {
      try (FleetBench bench = new FleetBench()) {
        bench.throughput(1, records / 10); // warm-up: JIT, RocksDB, the broker's first segments
        for (int instances = 1; instances <= 2; instances++) {
          FleetBench.Throughput throughput = bench.throughput(instances, records);
          FleetBench.Latency latency = bench.latency(instances, 500, samples);
          report.append(String.format("| %d | %d | %d | %d | %.0f | %.0f | %.0f | %.0f | %d |%n", run, instances,
              throughput.records(), throughput.averageBytes(), throughput.perSecond(), latency.p50Millis(), latency.p99Millis(),
              latency.maxMillis(), latency.samples()));
          progress.println("  run " + run + ", " + instances + " instance(s): " + Math.round(throughput.perSecond())
              + " records/s over " + throughput.records() + ", p50 " + Math.round(latency.p50Millis()) + " ms, p99 "
              + Math.round(latency.p99Millis()) + " ms");
        }
      }
    }
  }

  private static void pipelineSection(StringBuilder report, PrintStream progress, int runs, int throughputPods,
      double latencySeconds, Path out) throws Exception {
    progress.println("pipeline ...");
    report.append("\n## Pipeline: watch events → decode → projection → bus → detector → finding\n\n");
    List<PipelineBench.Throughput> throughputs = new ArrayList<>();
    List<PipelineBench.Latency> atHalf = new ArrayList<>();
    List<PipelineBench.Latency> atNinety = new ArrayList<>();
    String writes = "";
    // -Dbench.chainwatchJvm=shared: chainwatch in the benchmark's JVM, as measured up to the eleventh pass of issue 19
    boolean ownJvm = !"shared".equals(System.getProperty("bench.chainwatchJvm", "own"));
    for (int run = 0; run < runs; run++) {
      // nodes for every pod sent: the warm-up's, the measured run's and the latency runs' (up to twice the measured
      // run's pods once the rate passes 20,000 events/s); a pod on a node the view does not know is not judged
      int pods = throughputPods * (7 + MAX_WARM_UP_ROUNDS / 5); // and the paced warm-up's (half a measured run's)
      try (PipelineBench pipeline = new PipelineBench(Workload.nodeCount(pods), ownJvm)) {
        warmUp(pipeline, throughputPods / 5, progress);
        PipelineBench.Throughput throughput =
            profiled("pipeline-run" + run, () -> pipeline.throughput(throughputPods));
        throughputs.add(throughput);
        // -Dbench.latencyRates=A,B: latency at these rates (events/s) instead of 50 % and 90 % (to compare builds)
        String[] fixed = System.getProperty("bench.latencyRates", "").split(",");
        int thisRun = run;
        if (!"false".equals(System.getProperty("bench.pacedWarmUp"))) {
          // not measured: a paced load takes paths the flood does not (timers firing between events, threads woken
          // one event at a time, Slack's pacing, the broker's small requests), and the first measured load compiled
          // them: 1,100 compilations in the 50 % load of one run, the JIT at 15 % of a core (ninth pass)
          PipelineBench.Latency pacedWarmUp = pipeline.latency(fixed.length == 2 ? Double.parseDouble(fixed[0])
              : throughput.eventsPerSecond() * 0.5, latencySeconds / 2);
          progress.println("  paced warm-up at " + Math.round(pacedWarmUp.achievedRate()) + " events/s: p99 "
              + Math.round(pacedWarmUp.p99Millis()) + " ms (not measured)");
        }
        atHalf.add(profiled("pipeline-half-run" + thisRun, () -> pipeline.latency(fixed.length == 2
            ? Double.parseDouble(fixed[0]) : throughput.eventsPerSecond() * 0.5, latencySeconds)));
        atNinety.add(pipeline.latency(fixed.length == 2 ? Double.parseDouble(fixed[1])
            : throughput.eventsPerSecond() * 0.9, latencySeconds));
        progress.println("  run " + run + ": " + Math.round(throughput.eventsPerSecond()) + " events/s; false findings "
            + throughput.falseFindings() + ", " + atHalf.get(atHalf.size() - 1).falseFindings() + ", "
            + atNinety.get(atNinety.size() - 1).falseFindings() + "; wrote "
            + pipeline.writesSeen() + "; busiest thread " + throughput.cpu().busiest().name() + " "
            + Math.round(100 * throughput.cpu().busiest().seconds() / throughput.seconds()) + " %");
        writes = pipeline.writesSeen();
      }
    }
    Stats rate = Stats.of(throughputs.stream().map(PipelineBench.Throughput::eventsPerSecond).toList());
    report.append("chainwatch as deployed: every detector, remediation dry-run with its state ConfigMap, leader "
        + "election, Kubernetes Events and Node conditions, Kafka (a KRaft broker in the benchmark's JVM) and Slack "
        + "(local); the last run wrote ").append(writes).append(".\n\n")
        .append(ownJvm ? "chainwatch ran in a JVM of its own (`" + String.join(" ", ChainwatchProcess.OwnJvm.flags())
            + "`), the API server, the broker and Slack in the benchmark's: two processes, as deployed."
            : "chainwatch ran in the benchmark's JVM, with the API server, the broker and Slack "
            + "(`-Dbench.chainwatchJvm=shared`).").append("\n\n");
    report.append("Sustained throughput: **").append(rate.format("%.0f")).append(" events/s** over ")
        .append(throughputs.get(0).events()).append(" events (pods of ~8 KB and CiliumEndpoints), dropped: ")
        .append(throughputs.stream().mapToLong(PipelineBench.Throughput::dropped).sum()).append(".\n\n")
        .append("Each load starts once the JVM is quiet (under 15 % of one core for 250 ms; the flood and the load ")
        .append("before leave work behind them). CPU: the whole JVM (both, when chainwatch has its own) while the ")
        .append("events were sent, % of one core.\n\n")
        .append("| load | achieved events/s | findings measured | p50 ms | p99 ms | max ms | dropped | CPU % "
            + "| context switches/event | waited for quiet, s |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|\n");
    appendLatency(report, "50 % of sustained", atHalf);
    appendLatency(report, "90 % of sustained", atNinety);
    report.append("\nFindings for pods sent with their endpoint (false alarms; 0 expected): sustained ")
        .append(throughputs.stream().mapToLong(PipelineBench.Throughput::falseFindings).sum()).append(", 50 % ")
        .append(atHalf.stream().mapToLong(PipelineBench.Latency::falseFindings).sum()).append(", 90 % ")
        .append(atNinety.stream().mapToLong(PipelineBench.Latency::falseFindings).sum())
        .append(" (sums over the runs; endpoints are sent ").append(PipelineBench.ENDPOINT_LEAD)
        .append(" pods ahead of their pods since the eleventh pass of issue 19).\n");
    appendCpu(report, "the sustained throughput was measured",
        throughputs.stream().map(PipelineBench.Throughput::cpu).toList());
    // paced events cost more CPU each than a flood (threads fall asleep between events and are woken for the next):
    // these two tables say by how much, and where
    appendCpu(report, "events were sent at 50 % of the sustained rate",
        atHalf.stream().map(PipelineBench.Latency::cpu).toList());
    appendCpu(report, "events were sent at 90 % of the sustained rate",
        atNinety.stream().map(PipelineBench.Latency::cpu).toList());
    Plot.lines("Event-to-finding latency (median of runs)", "load (% of sustained throughput)", "ms", List.of(
        new Plot.Series("p99", new Color(200, 60, 60), List.of(50.0, 90.0),
            List.of(Stats.of(atHalf.stream().map(PipelineBench.Latency::p99Millis).toList()).median(),
                Stats.of(atNinety.stream().map(PipelineBench.Latency::p99Millis).toList()).median())),
        new Plot.Series("p50", new Color(40, 110, 200), List.of(50.0, 90.0),
            List.of(Stats.of(atHalf.stream().map(PipelineBench.Latency::p50Millis).toList()).median(),
                Stats.of(atNinety.stream().map(PipelineBench.Latency::p50Millis).toList()).median()))),
        out.resolve("latency.png"));
  }

  private static void syncSection(StringBuilder report, PrintStream progress, List<Integer> sizes, int runs,
      boolean quick,
      Path out) throws Exception {
    progress.println("sync ...");
    List<Double> xs = sizes.stream().map(pods -> pods / 1000.0).toList();
    report.append("\n## Initial sync (child JVM, fixed heap cap; pods + as many endpoints)\n\n")
        .append("| pods | watcher | heap cap | seconds | peak heap MiB | retained MiB |\n|---|---|---|---|---|---|\n");
    SyncBench sync = new SyncBench();
    sync.run("chainwatch", sizes.get(0), "1g"); // warm-up: the API server's JIT, so the first row is not penalised
    List<Double> syncChainwatch = new ArrayList<>();
    List<Double> syncBaseline = new ArrayList<>();
    for (int pods : sizes) {
      for (String[] mode : new String[][] {{"chainwatch", quick ? "256m" : "512m"}, {"baseline", quick ? "1g" : "6g"}}) {
        List<SyncBench.Result> results = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
          results.add(sync.run(mode[0], pods, mode[1]));
          if (!results.get(results.size() - 1).ok()) {
            break; // a failure (out of memory) will not pass on a second try
          }
        }
        List<SyncBench.Result> ok = results.stream().filter(SyncBench.Result::ok).toList();
        report.append("| ").append(pods).append(" | ").append(mode[0]).append(" | ").append(mode[1]).append(" | ");
        if (ok.size() == results.size()) {
          report.append(Stats.of(ok.stream().map(SyncBench.Result::seconds).toList()).format("%.1f")).append(" | ")
              .append(Stats.of(ok.stream().map(r -> r.peakHeap() / 1048576.0).toList()).format("%.0f")).append(" | ")
              .append(Stats.of(ok.stream().map(r -> r.retainedHeap() / 1048576.0).toList()).format("%.0f"));
        } else {
          report.append(results.get(results.size() - 1).failure()).append(" | - | -");
        }
        report.append(" |\n");
        double median = ok.size() == results.size()
            ? Stats.of(ok.stream().map(SyncBench.Result::seconds).toList()).median() : Double.NaN;
        (mode[0].equals("chainwatch") ? syncChainwatch : syncBaseline).add(median);
        progress.println("  " + pods + " " + mode[0] + ": " + median + " s");
      }
    }
    Plot.lines("Initial sync time", "pods (thousands)", "seconds", List.of(
        new Plot.Series("baseline (typed informers, no paging)", new Color(200, 60, 60), xs, syncBaseline),
        new Plot.Series("chainwatch (paged, projected)", new Color(40, 110, 200), xs, syncChainwatch)),
        out.resolve("sync.png"));
  }

  private static final int MAX_WARM_UP_ROUNDS = 25;

  /**
   * With {@code -Dbench.jfr=DIR}, records a flight recording (JFR's "profile" settings) of just this step into
   * {@code DIR/NAME.jfr}: the warm-up and the other steps stay out of the profile.
   */
  private static <T> T profiled(String name, java.util.concurrent.Callable<T> step) throws Exception {
    String dir = System.getProperty("bench.jfr");
    if (dir == null) {
      return step.call();
    }
    try (jdk.jfr.Recording recording = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"))) {
      recording.start();
      T result = step.call();
      recording.stop();
      recording.dump(Path.of(dir).resolve(name + ".jfr"));
      return result;
    }
  }

  /**
   * Sends rounds of events until the JIT compilers have settled (they used under 10 % of one core in the last round;
   * at most {@link #MAX_WARM_UP_ROUNDS}): chainwatch is a long-running service, and its sustained rate is the one it
   * reaches once its code (and the in-process broker's, and the harness's) is compiled. One round used to be all: the
   * compilers then took about half a core during the measured run, and the figure varied with how far they had got.
   */
  private static void warmUp(PipelineBench pipeline, int pods, PrintStream progress) {
    List<String> rounds = new ArrayList<>();
    for (int round = 0; round < MAX_WARM_UP_ROUNDS; round++) {
      PipelineBench.Throughput warm = pipeline.throughput(pods);
      double jitShare = 100 * (warm.cpu().seconds().get(ThreadCpu.Group.JIT)
          + warm.cpu().seconds().get(ThreadCpu.Group.CHAINWATCH_JIT)) / warm.seconds();
      rounds.add(Math.round(warm.eventsPerSecond()) + " events/s, JIT " + Math.round(jitShare) + " %");
      if (jitShare < 10) {
        break;
      }
    }
    progress.println("  warm-up rounds of " + pods + " pods: " + rounds);
  }

  /** Where the CPU went in a measured phase (the flood, a paced load): what bounds it on a machine of two cores. */
  private static void appendCpu(StringBuilder report, String phase, List<ThreadCpu.Use> runs) {
    int cores = Runtime.getRuntime().availableProcessors();
    report.append("\nCPU while ").append(phase).append(", by thread group (").append(cores)
        .append(" cores = ").append(cores * 100).append(" %):\n\n")
        .append("| threads | % of one core | µs per event |\n|---|---|---|\n");
    double allShare = 0;
    double allMicros = 0;
    for (ThreadCpu.Group group : ThreadCpu.Group.values()) {
      if (runs.stream().allMatch(run -> run.seconds().get(group) == 0)) {
        continue; // chainwatch's own JVM's groups when it shares the benchmark's
      }
      List<Double> share = runs.stream().map(run -> 100 * run.seconds().get(group) / run.wallSeconds()).toList();
      List<Double> micros = runs.stream().map(run -> 1e6 * run.seconds().get(group) / run.events()).toList();
      allShare += Stats.of(share).median();
      allMicros += Stats.of(micros).median();
      report.append("| ").append(group.label).append(" | ").append(Stats.of(share).format("%.0f")).append(" | ")
          .append(Stats.of(micros).format("%.1f")).append(" |\n");
    }
    report.append(String.format(java.util.Locale.ROOT, "| **all** (sum of medians) | %.0f | %.1f |%n", allShare,
        allMicros));
    report.append("\nContext switches per event (threads blocking and being woken): ").append(Stats.of(runs.stream()
        .map(run -> (double) run.contextSwitches() / run.events()).toList()).format("%.2f")).append(".\n");
    report.append("\nBusiest single thread: ").append(runs.stream().map(run -> run.busiest().name() + " "
        + Math.round(100 * run.busiest().seconds() / run.wallSeconds()) + " %").toList()).append(".\n");
  }

  private static void appendLatency(StringBuilder report, String load, List<PipelineBench.Latency> runs) {
    report.append("| ").append(load).append(" | ")
        .append(Stats.of(runs.stream().map(PipelineBench.Latency::achievedRate).toList()).format("%.0f"))
        .append(" | ").append(runs.stream().mapToInt(PipelineBench.Latency::samples).sum()).append(" | ")
        .append(Stats.of(runs.stream().map(PipelineBench.Latency::p50Millis).toList()).format("%.1f")).append(" | ")
        .append(Stats.of(runs.stream().map(PipelineBench.Latency::p99Millis).toList()).format("%.1f")).append(" | ")
        .append(Stats.of(runs.stream().map(PipelineBench.Latency::maxMillis).toList()).format("%.1f")).append(" | ")
        .append(runs.stream().mapToLong(PipelineBench.Latency::dropped).sum()).append(" | ")
        .append(Stats.of(runs.stream().map(run -> run.cpu().percentOfOneCore()).toList()).format("%.0f"))
        .append(" | ").append(Stats.of(runs.stream()
            .map(run -> (double) run.cpu().contextSwitches() / run.cpu().events()).toList()).format("%.2f"))
        .append(" | ").append(Stats.of(runs.stream().map(run -> run.quietAfterMillis() / 1000.0).toList())
            .format("%.1f")).append(" |\n");
  }

  private static int option(List<String> args, String name, int fallback) {
    return Integer.parseInt(optionText(args, name, String.valueOf(fallback)));
  }

  private static String optionText(List<String> args, String name, String fallback) {
    int index = args.indexOf(name);
    return index >= 0 && index + 1 < args.size() ? args.get(index + 1) : fallback;
  }
}
