package io.chainwatch.watcher.view;

/** An object does not fit the shape chainwatch expects; the message names the object, the field and the value. */
public class ProjectionException extends RuntimeException {
  public ProjectionException(String message) {
    super(message);
  }
}
