package io.chainwatch.bench;

import java.io.File;

/** Child JVMs the benchmark starts: the scan and sync commands, and chainwatch in a JVM of its own. */
final class Jvm {
  private Jvm() {}

  /** The {@code java} launcher of the JVM running the benchmark, so every child runs the same Java. */
  static String launcher() {
    return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
  }
}
