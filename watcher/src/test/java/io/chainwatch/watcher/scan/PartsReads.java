package io.chainwatch.watcher.scan;

import io.chainwatch.config.ChainwatchConfig;
import io.chainwatch.watcher.view.AgentIdentity;
import io.chainwatch.watcher.view.ClusterState;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Reads of one dump with a chosen number of threads, as the every-core tests compare the parts and one pass. */
final class PartsReads {
  /** What {@link #error} says when the input was read without one. */
  static final String NO_ERROR = "(no error)";

  private PartsReads() {}

  static DumpReader reader(int threads, int wholeLimit) {
    DumpReader reader = new DumpReader(ClusterState.detached(AgentIdentity.from(ChainwatchConfig.defaults())));
    reader.threads = threads;
    reader.wholeLimit = wholeLimit;
    return reader;
  }

  static DumpReader read(String name, byte[] bytes, int threads, int wholeLimit) throws Exception {
    DumpReader reader = reader(threads, wholeLimit);
    reader.read(name, new ByteArrayInputStream(bytes));
    return reader;
  }

  static DumpReader read(String name, byte[] bytes, int threads) throws Exception {
    return read(name, bytes, threads, Integer.MAX_VALUE - 16);
  }

  /** The error reading {@code bytes} names, or {@link #NO_ERROR}. */
  static String error(String name, byte[] bytes, int threads) {
    try {
      read(name, bytes, threads);
    } catch (ScanInputException e) {
      return e.getMessage();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return NO_ERROR;
  }

  /** A read on 2 threads that reports progress at every chance, and the lines it reported. */
  record Progress(DumpReader reader, List<String> lines) {}

  static Progress withProgress(String name, byte[] bytes) throws Exception {
    DumpReader reader = reader(2, Integer.MAX_VALUE - 16);
    reader.progressEveryNanos = 0;
    List<String> lines = new CopyOnWriteArrayList<>();
    reader.onProgress(lines::add);
    reader.read(name, new ByteArrayInputStream(bytes));
    return new Progress(reader, lines);
  }
}
