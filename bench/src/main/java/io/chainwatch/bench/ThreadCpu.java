package io.chainwatch.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * CPU time by group of threads between two snapshots: what bounds a benchmark that runs chainwatch, its API server
 * and a Kafka broker on two cores. In this JVM, G1's and the compilers' threads are not Java threads: their CPU is
 * read from {@code /proc}; what is left of the process's CPU is "other JVM threads". When chainwatch runs in a JVM of
 * its own, every one of that JVM's threads is read from {@code /proc/<pid>/task} (its time on a CPU, in ns, from
 * {@code schedstat}) and grouped by its name as the kernel knows it (the first 15 characters).
 */
final class ThreadCpu {
  /** Groups, in the order they are printed; a thread belongs to the first whose test its name passes. */
  enum Group {
    HARNESS_API_SERVER("benchmark API server (renders and sends watch events)"),
    HARNESS_DRIVER("benchmark driver (main thread)"),
    EVENT_LOOPS("chainwatch event loops (watch decode, view, bus, detectors, remediation, HTTP)"),
    WATCH_DECODE("chainwatch watch decode and item store (fabric8's executor)"),
    KAFKA_PRODUCER("chainwatch Kafka producer"),
    CHAINWATCH_OTHER("chainwatch other threads (notifier and other workers, Slack, Events, spool)"),
    BROKER("Kafka broker (in process)"),
    OTHER_JAVA("other Java threads"),
    GC("the benchmark's JVM: garbage collector (G1's threads)"),
    JIT("the benchmark's JVM: JIT compilers"),
    JVM("the benchmark's JVM: other threads"),
    CHAINWATCH_GC("chainwatch's own JVM: garbage collector (G1's threads)"),
    CHAINWATCH_JIT("chainwatch's own JVM: JIT compilers"),
    CHAINWATCH_JVM("chainwatch's own JVM: other threads (VM, main, ended threads)");

    final String label;

    Group(String label) {
      this.label = label;
    }
  }

  /**
   * @param processNanos this JVM's CPU
   * @param threadNanos by thread: this JVM's Java threads by id, the child's threads by their negated tid
   * @param nativeTicks clock ticks of the JVM's own threads by group, from {@code /proc} (empty elsewhere)
   * @param childNanos the child JVM's CPU, all its threads' whether they still run or not (0 without a child)
   */
  record Snapshot(long processNanos, Map<Long, Long> threadNanos, Map<Long, String> names,
      Map<Group, Long> nativeTicks, long contextSwitches, long childNanos) {}

  private static final long TICK_NANOS = 10_000_000; // USER_HZ is 100 on Linux

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final Set<Long> apiServerThreads;
  private final long childPid;

  /**
   * @param apiServerThreads the ids of the benchmark API server's event-loop threads
   * @param childPid the JVM chainwatch runs in when not in this one, else -1
   */
  ThreadCpu(Set<Long> apiServerThreads, long childPid) {
    this.apiServerThreads = Set.copyOf(apiServerThreads);
    this.childPid = childPid;
  }

  Snapshot snapshot() {
    Map<Long, Long> cpu = new LinkedHashMap<>();
    Map<Long, String> names = new LinkedHashMap<>();
    for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long nanos = threads.getThreadCpuTime(info.getThreadId());
      if (nanos >= 0) {
        cpu.put(info.getThreadId(), nanos);
        names.put(info.getThreadId(), info.getThreadName());
      }
    }
    long childNanos = 0;
    long switches = contextSwitches("self");
    if (childPid > 0) {
      childThreads(cpu, names);
      childNanos = childProcessNanos();
      long childSwitches = contextSwitches(String.valueOf(childPid));
      switches = switches < 0 || childSwitches < 0 ? -1 : switches + childSwitches;
    }
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return new Snapshot(os.getProcessCpuTime(), cpu, names, nativeTicks(), switches, childNanos);
  }

  /** The child's threads' time on a CPU ({@code schedstat}'s first field, ns) and names, keyed by negated tid. */
  private void childThreads(Map<Long, Long> cpu, Map<Long, String> names) {
    java.io.File[] tasks = new java.io.File("/proc/" + childPid + "/task").listFiles();
    if (tasks == null) {
      return;
    }
    for (java.io.File task : tasks) {
      try {
        String schedstat = java.nio.file.Files.readString(task.toPath().resolve("schedstat"));
        String name = java.nio.file.Files.readString(task.toPath().resolve("comm")).strip();
        long key = -Long.parseLong(task.getName());
        cpu.put(key, Long.parseLong(schedstat.substring(0, schedstat.indexOf(' '))));
        names.put(key, name);
      } catch (java.io.IOException | RuntimeException e) {
        // a thread that ended while it was read: its time is left to the remainder
      }
    }
  }

  /** The child's CPU, ended threads' included: utime + stime of {@code /proc/<pid>/stat}, in clock ticks. */
  private long childProcessNanos() {
    try {
      String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + childPid + "/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * TICK_NANOS;
    } catch (java.io.IOException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * Context switches of a process's live threads so far (a thread that blocks and is woken costs one): each thread's
   * own count, from {@code /proc/<process>/task/<tid>/status}; -1 without /proc.
   */
  private static long contextSwitches(String process) {
    java.io.File[] tasks = new java.io.File("/proc/" + process + "/task").listFiles();
    if (tasks == null) {
      return -1;
    }
    long switches = 0;
    for (java.io.File task : tasks) {
      try {
        for (String line : java.nio.file.Files.readAllLines(task.toPath().resolve("status"))) {
          if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
            switches += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
          }
        }
      } catch (java.io.IOException | RuntimeException e) {
        // a thread that ended while it was read
      }
    }
    return switches;
  }

  /** Context switches from {@code before} to {@code after}; -1 where /proc cannot tell. */
  static long contextSwitches(Snapshot before, Snapshot after) {
    return before.contextSwitches() < 0 || after.contextSwitches() < 0 ? -1
        : after.contextSwitches() - before.contextSwitches();
  }

  /**
   * The GC's and the compilers' CPU, read from {@code /proc/self/task/<tid>/stat} by the threads' names (G1's are
   * "GC Thread#0", "G1 Conc#0", "G1 Refine#0", "G1 Service"; the compilers' "C2 CompilerThre", "C1 CompilerThre").
   */
  private static Map<Group, Long> nativeTicks() {
    Map<Group, Long> ticks = new java.util.EnumMap<>(Group.class);
    java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
    if (tasks == null) {
      return ticks;
    }
    for (java.io.File task : tasks) {
      try {
        String stat = java.nio.file.Files.readString(task.toPath().resolve("stat"));
        int close = stat.lastIndexOf(')');
        String name = stat.substring(stat.indexOf('(') + 1, close);
        Group group = name.startsWith("GC Thread") || name.startsWith("G1 ") ? Group.GC
            : name.contains("CompilerThre") ? Group.JIT : null;
        if (group != null) {
          String[] fields = stat.substring(close + 2).split(" ");
          // after the name: state is field 3 of stat(5), utime 14 and stime 15
          ticks.merge(group, Long.parseLong(fields[11]) + Long.parseLong(fields[12]), Long::sum);
        }
      } catch (java.io.IOException | RuntimeException e) {
        // a thread that ended while it was read: its time is left to the remainder
      }
    }
    return ticks;
  }

  /**
   * What a measured phase used.
   *
   * @param seconds CPU seconds by group
   * @param busiest the thread that used the most CPU
   * @param contextSwitches threads blocking and being woken (-1 without /proc)
   * @param wallSeconds how long the phase took
   * @param events the events sent meanwhile
   */
  record Use(Map<Group, Double> seconds, Busiest busiest, long contextSwitches, double wallSeconds, long events) {
    double percentOfOneCore() {
      return 100 * seconds.values().stream().mapToDouble(Double::doubleValue).sum() / wallSeconds;
    }
  }

  Use use(Snapshot before, Snapshot after, double wallSeconds, long events) {
    return new Use(between(before, after), busiest(before, after), contextSwitches(before, after), wallSeconds,
        events);
  }

  /** The thread that used the most CPU from {@code before} to {@code after}: a thread near 100 % bounds alone. */
  record Busiest(String name, double seconds) {}

  Busiest busiest(Snapshot before, Snapshot after) {
    Busiest busiest = new Busiest("none", 0);
    for (var entry : after.threadNanos().entrySet()) {
      double seconds = (entry.getValue() - before.threadNanos().getOrDefault(entry.getKey(), 0L)) / 1e9;
      if (seconds > busiest.seconds()) {
        busiest = new Busiest(after.names().get(entry.getKey()) + " (" + groupOf(entry.getKey(),
            after.names().get(entry.getKey())).label + ")", seconds);
      }
    }
    return busiest;
  }

  /**
   * The {@code limit} threads that used the most CPU from {@code before} to {@code after}, as "name: µs per event"
   * lines (the benchmark prints them with {@code -Dbench.verbose}: which thread of a group to look at).
   */
  List<String> top(Snapshot before, Snapshot after, long events, int limit) {
    return after.threadNanos().entrySet().stream()
        .map(entry -> Map.entry(after.names().get(entry.getKey()) + " #" + entry.getKey() + " ("
            + groupOf(entry.getKey(), after.names().get(entry.getKey())).name() + ")",
            entry.getValue() - before.threadNanos().getOrDefault(entry.getKey(), 0L)))
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(limit)
        .map(entry -> String.format("%s: %.1f", entry.getKey(), entry.getValue() / 1e3 / Math.max(1, events)))
        .toList();
  }

  /** CPU seconds by group from {@code before} to {@code after}, in {@link Group} order. */
  Map<Group, Double> between(Snapshot before, Snapshot after) {
    Map<Group, Double> seconds = new TreeMap<>();
    for (Group group : Group.values()) {
      seconds.put(group, 0.0);
    }
    long javaNanos = 0;
    long childThreadNanos = 0;
    for (var entry : after.threadNanos().entrySet()) {
      long used = entry.getValue() - before.threadNanos().getOrDefault(entry.getKey(), 0L);
      if (entry.getKey() < 0) {
        childThreadNanos += used;
      } else {
        javaNanos += used;
      }
      seconds.merge(groupOf(entry.getKey(), after.names().get(entry.getKey())), used / 1e9, Double::sum);
    }
    // the child's ended threads (its process time is counted in ticks, its threads' in ns: never below 0)
    seconds.merge(Group.CHAINWATCH_JVM,
        Math.max(0, (after.childNanos() - before.childNanos() - childThreadNanos) / 1e9), Double::sum);
    double nativeSeconds = 0;
    for (Group group : List.of(Group.GC, Group.JIT)) {
      double used = (after.nativeTicks().getOrDefault(group, 0L) - before.nativeTicks().getOrDefault(group, 0L))
          * TICK_NANOS / 1e9;
      seconds.put(group, used);
      nativeSeconds += used;
    }
    // threads that ended between the snapshots are missing from the sum, so they count here (rare: pools)
    seconds.put(Group.JVM, Math.max(0, (after.processNanos() - before.processNanos() - javaNanos) / 1e9
        - nativeSeconds));
    return seconds;
  }

  /**
   * A thread's group by its name: this JVM's threads (positive ids) by their Java names, the child's (negated tids) by
   * their kernel names, Java's names cut to 15 characters; the tests below hold for both.
   */
  private Group groupOf(long id, String name) {
    boolean child = id < 0;
    if (!child && apiServerThreads.contains(id)) {
      return Group.HARNESS_API_SERVER;
    }
    if (name.startsWith("bench-") || (!child && name.equals("main"))) {
      return Group.HARNESS_DRIVER; // in the child, the benchmark's side of its protocol
    }
    if (name.startsWith("vert.x-eventloo")) {
      return Group.EVENT_LOOPS;
    }
    if (name.matches("pool-\\d+-thread.*|-\\d+-pool.*")) {
      return Group.WATCH_DECODE;
    }
    // in this JVM the broker's clients may produce too; in the child every producer is chainwatch's
    if (name.startsWith("kafka-producer") && (child || name.contains("| chainwatch"))) {
      return Group.KAFKA_PRODUCER;
    }
    if (name.startsWith("chainwatch") || name.startsWith("vert.x-")) {
      return Group.CHAINWATCH_OTHER;
    }
    if (child) {
      return name.startsWith("GC Thread") || name.startsWith("G1 ") ? Group.CHAINWATCH_GC
          : name.contains("CompilerThre") ? Group.CHAINWATCH_JIT : Group.CHAINWATCH_JVM;
    }
    if (name.startsWith("data-plane-kafka") || name.startsWith("kafka-") || name.startsWith("quorum-")
        || name.startsWith("broker-") || name.startsWith("controller-") || name.startsWith("raft-")) {
      return Group.BROKER;
    }
    return Group.OTHER_JAVA;
  }
}
