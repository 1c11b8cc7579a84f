package io.chainwatch.watcher.scan;

import io.chainwatch.config.ChainwatchConfig;
import io.chainwatch.model.Finding;
import io.chainwatch.watcher.detect.Detector;
import io.chainwatch.watcher.detect.Detectors;
import io.chainwatch.watcher.detect.ProbeSilentDetector;
import io.chainwatch.watcher.eval.FindingJson;
import io.chainwatch.watcher.view.AgentIdentity;
import io.chainwatch.watcher.view.ClusterState;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code scan}: the same view and the same detectors as {@code run}, on kubectl dumps. Prints one JSON line per
 * finding on stdout and nothing else; notes and errors go to stderr.
 */
public final class Scan {
  public static final int EXIT_CLEAN = 0;
  public static final int EXIT_FINDINGS = 1;
  public static final int EXIT_BAD_INPUT = 2;

  private static final Comparator<Finding> ORDER = Comparator
      .comparing((Finding f) -> f.severity().ordinal())
      .thenComparing(f -> String.valueOf(f.node()))
      .thenComparing(f -> f.resource().key())
      .thenComparing(Finding::detectorId)
      .thenComparing(Finding::reason);

  private Scan() {}

  /** A line on stderr: object names and values from the input can hold terminal control sequences. */
  private static void errLine(PrintStream err, String line) {
    err.println(Terminal.safe(line));
  }

  /**
   * Runs a scan.
   *
   * @param config configuration (detector settings, Cilium namespace and labels)
   * @param inputs file paths, {@code -} for stdin
   * @param now the time to judge at
   * @return the exit code: 0 no findings, 1 findings, 2 bad input
   */
  public static int run(ChainwatchConfig config, List<String> inputs, Instant now, InputStream stdin,
      PrintStream out, PrintStream err) {
    return run(config, inputs, now, stdin, out, err, Format.JSON);
  }

  /** Output formats: JSON lines (the contract, the default) or a text report for a person. */
  public enum Format { JSON, TEXT, TEXT_COLOUR }

  /** Runs a scan printing {@code format}, judging at {@code now} as given (as {@code --now} does). */
  public static int run(ChainwatchConfig config, List<String> inputs, Instant now, InputStream stdin,
      PrintStream out, PrintStream err, Format format) {
    return run(config, inputs, now, false, stdin, out, err, format);
  }

  /**
   * Runs a scan.
   *
   * @param wallClock {@code now} is the wall clock, not a time the person gave: a dump's age is then unknown, so
   *     probe silence is not judged (with {@code --now} it is, against that time, as {@code run} judges it)
   */
  public static int run(ChainwatchConfig config, List<String> inputs, Instant now, boolean wallClock,
      InputStream stdin, PrintStream out, PrintStream err, Format format) {
    try {
      return scan(config, inputs, now, wallClock, stdin, out, err, format);
    } catch (OutOfMemoryError e) {
      // exit 1 means findings: running out of memory must never look like one
      errLine(err, "chainwatch scan: out of memory reading the input (" + e.getMessage() + "); give the JVM more "
          + "heap (-Xmx) or split the dump");
      return EXIT_BAD_INPUT;
    } catch (RuntimeException e) {
      errLine(err, "chainwatch scan: internal error: " + e);
      return EXIT_BAD_INPUT;
    }
  }

  private static int scan(ChainwatchConfig config, List<String> inputs, Instant now, boolean wallClock,
      InputStream stdin, PrintStream out, PrintStream err, Format format) {
    ClusterState state = ClusterState.detached(AgentIdentity.from(config));
    DumpReader reader = new DumpReader(state);
    // a dump of a large cluster takes a while: say how far the read got every few seconds (stderr; stdout is data)
    reader.onProgress(line -> errLine(err, "chainwatch scan: " + line));
    for (String input : inputs) {
      try {
        if ("-".equals(input)) {
          reader.read("<stdin>", stdin);
        } else {
          try (InputStream file = Files.newInputStream(Path.of(input))) {
            reader.read(input, file);
          }
        }
      } catch (ScanInputException e) {
        errLine(err, "chainwatch scan: " + e.getMessage());
        return EXIT_BAD_INPUT;
      } catch (NoSuchFileException e) {
        errLine(err, "chainwatch scan: " + input + ": no such file");
        return EXIT_BAD_INPUT;
      } catch (IOException e) {
        errLine(err, "chainwatch scan: " + input + ": cannot read: " + e.getMessage());
        return EXIT_BAD_INPUT;
      }
    }
    List<String> conflicts = reader.conflicts();
    conflicts.stream().limit(5).forEach(conflict -> errLine(err, "chainwatch scan: note: " + conflict));
    if (conflicts.size() > 5) {
      errLine(err, "chainwatch scan: note: " + (conflicts.size() - 5) + " more objects were read twice with other "
          + "content");
    }
    // "kubectl get ciliumendpoints -A" with none is indistinguishable from a dump that left them out
    state.markEndpointsUnlisted(state.endpointCount() == 0);
    List<Finding> findings = new ArrayList<>();
    for (Detector detector : Detectors.enabled(config)) {
      if (detector.id().equals(ProbeSilentDetector.ID) && wallClock) {
        // a dump is a snapshot taken at some time: how stale its reports were then cannot be judged by the clock
        if (state.nodes().stream().anyMatch(node -> node.report() != null)) {
          errLine(err, "chainwatch scan: note: detector " + detector.id() + " is not judged: the dump's node reports "
              + "are judged against --now (the time the dump was taken), not the wall clock");
        }
        continue;
      }
      detector.inactiveReason(state).ifPresent(reason ->
          errLine(err, "chainwatch scan: note: detector " + detector.id() + " is inactive: " + reason));
      findings.addAll(detector.detectAll(state, now));
    }
    if (state.ciliumAgentCount() == 0) {
      errLine(err, "chainwatch scan: note: the input holds no Cilium agent pods (label " + config.agentSelector()
          + (state.agentIdentity().namespacePinned() ? " in namespace " + config.ciliumNamespace() : "")
          + "), so no pod can be judged; include `kubectl get pods -A -o json` in the dump");
    }
    io.chainwatch.watcher.detect.CiliumFacts facts = io.chainwatch.watcher.detect.CiliumFacts.of(state);
    errLine(err, "chainwatch scan: Cilium: " + state.cilium().describe() + "; " + (facts.chained()
        ? "chained (" + facts.chainingMode() + ")" : "primary CNI") + " from " + facts.chainingSignal()
        + "; agent-not-ready taint " + facts.taintKey() + " from " + facts.taintKeySignal());
    findings.sort(ORDER);
    if (format == Format.JSON) {
      for (Finding finding : findings) {
        out.println(FindingJson.of(finding).encode());
      }
    } else {
      TextReport.print(findings, out, format == Format.TEXT_COLOUR);
    }
    out.flush();
    errLine(err, "chainwatch scan: " + reader.objectsRead() + " objects read, " + reader.objectsUsed() + " used, "
        + findings.size() + " findings at " + now + (wallClock ? " (wall clock)" : " (--now)"));
    // advice (severity info) is printed but does not fail the scan: exit codes keep meaning "something needs a person"
    boolean needsAttention = findings.stream().anyMatch(f -> f.severity() != io.chainwatch.model.Severity.INFO);
    return needsAttention ? EXIT_FINDINGS : EXIT_CLEAN;
  }
}
