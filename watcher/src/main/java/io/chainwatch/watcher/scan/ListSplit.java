package io.chainwatch.watcher.scan;

/** Where the items of a List lie in its bytes, and the List with its items left out, so that parts can be read apart. */
interface ListSplit {
  /** The List without its items ({@code items: []}); read first, it checks the List and accepts nothing. */
  byte[] header();

  int items();

  /** Where item {@code item}'s bytes begin. */
  int start(int item);

  /** Where item {@code item}'s bytes end (exclusive). */
  int end(int item);
}
