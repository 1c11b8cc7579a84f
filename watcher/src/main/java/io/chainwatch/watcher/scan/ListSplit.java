package io.chainwatch.watcher.scan;

/**
 * Where the items of a List lie in its bytes ({@code [starts[i], ends[i])}), and the List with its items left out
 * ({@code items: []} or {@code "items":[]}: read first, it checks the List and accepts nothing), so that parts can be
 * read apart. Made by {@link JsonListSplit} and {@link YamlListSplit}.
 */
record ListSplit(byte[] header, int[] starts, int[] ends) {
  int items() {
    return starts.length;
  }

  int start(int item) {
    return starts[item];
  }

  int end(int item) {
    return ends[item];
  }
}
