package io.chainwatch.watcher.scan;

/** A dump file that cannot be read as Kubernetes objects; the message names the file, the object and the problem. */
public class ScanInputException extends RuntimeException {
  public ScanInputException(String message) {
    super(message);
  }
}
