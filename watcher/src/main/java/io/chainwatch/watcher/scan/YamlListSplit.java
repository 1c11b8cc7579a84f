package io.chainwatch.watcher.scan;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the items of a YAML List as {@code kubectl get -o yaml} writes it begin and end, found from its lines alone,
 * so that they can be parsed on several cores: SnakeYAML reads about 12 MB/s on one.
 *
 * <p>Only the plainest shape is split: one document (no {@code ---}, {@code ...} or directive), an {@code items:} key
 * at column 0 whose entries all start with {@code -} at one indentation, and other top-level keys at column 0. An item
 * cannot continue on a line that starts with {@code -} at the entries' own indentation (its block scalars and nested
 * collections are indented further, and a dedent ends them), so those lines are where items begin; a split inside a
 * multi-line quoted or flow value leaves one part unterminated, which its parse refuses. The caller parses the parts
 * and falls back to reading the whole input in one pass whenever anything is refused, so a split never changes what
 * is read, only how fast.
 */
final class YamlListSplit {
  private YamlListSplit() {}

  /** The split of {@code bytes[0, length)}, or {@code null} when the input is not of the plain shape. */
  static ListSplit of(byte[] bytes, int length) {
    ByteArrayOutputStream header = new ByteArrayOutputStream(4096);
    List<Integer> starts = new ArrayList<>();
    boolean seenItems = false;
    boolean inItems = false;
    int itemIndent = -1;
    int itemsEnd = -1;
    int line = 0;
    while (line < length) {
      int end = line;
      while (end < length && bytes[end] != '\n') {
        end++;
      }
      int next = end < length ? end + 1 : end;
      int indent = 0;
      while (line + indent < end && bytes[line + indent] == ' ') {
        indent++;
      }
      int content = line + indent;
      boolean blank = content == end || (content == end - 1 && bytes[content] == '\r');
      if (indent == 0 && !blank && (startsWith(bytes, line, end, "---") || startsWith(bytes, line, end, "...")
          || bytes[line] == '%' || bytes[line] == '\t')) {
        return null; // several documents, a directive, or a tab where indentation goes
      }
      if (inItems) {
        if (blank || bytes[content] == '#') {
          line = next; // part of the item before it (a comment or an empty line)
          continue;
        }
        if (itemIndent < 0) {
          if (!isEntry(bytes, content, end)) {
            return null; // items: followed by something else than a block sequence
          }
          itemIndent = indent;
        }
        if (indent == itemIndent && isEntry(bytes, content, end)) {
          starts.add(line);
          line = next;
          continue;
        }
        if (indent > itemIndent) {
          line = next; // within the current item
          continue;
        }
        if (indent != 0 || starts.isEmpty()) {
          return null;
        }
        inItems = false;
        itemsEnd = line;
      }
      if (indent == 0 && !blank && isItemsKey(bytes, line, end)) {
        if (seenItems) {
          return null; // the one-pass reader names the duplicate
        }
        seenItems = true;
        inItems = true;
        header.writeBytes("items: []\n".getBytes(StandardCharsets.US_ASCII));
        line = next;
        continue;
      }
      if (indent == 0 && !blank && bytes[line] == '-') {
        return null; // a top-level sequence, or an entry outside items
      }
      header.write(bytes, line, next - line);
      if (next == end) {
        header.write('\n'); // the last line had no line feed
      }
      line = next;
    }
    if (inItems) {
      itemsEnd = length;
    }
    if (!seenItems || starts.isEmpty()) {
      return null;
    }
    int[] itemStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    int[] itemEnds = new int[itemStarts.length]; // an item's lines end where the next item's begin
    System.arraycopy(itemStarts, 1, itemEnds, 0, itemStarts.length - 1);
    itemEnds[itemStarts.length - 1] = itemsEnd;
    return new ListSplit(header.toByteArray(), itemStarts, itemEnds);
  }

  /** {@code -} followed by a space or the end of the line: a block sequence entry. */
  private static boolean isEntry(byte[] bytes, int content, int end) {
    return bytes[content] == '-' && (content + 1 == end || bytes[content + 1] == ' ' || bytes[content + 1] == '\r');
  }

  /** {@code items:} alone on its line (trailing spaces, a comment or a CR allowed). */
  private static boolean isItemsKey(byte[] bytes, int line, int end) {
    if (!startsWith(bytes, line, end, "items:")) {
      return false;
    }
    for (int i = line + 6; i < end; i++) {
      if (bytes[i] == '#' && i > line + 6 && bytes[i - 1] == ' ') {
        return true;
      }
      if (bytes[i] != ' ' && bytes[i] != '\r') {
        return false;
      }
    }
    return true;
  }

  private static boolean startsWith(byte[] bytes, int line, int end, String prefix) {
    if (end - line < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (bytes[line + i] != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
