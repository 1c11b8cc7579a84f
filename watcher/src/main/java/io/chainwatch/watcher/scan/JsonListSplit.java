package io.chainwatch.watcher.scan;

import java.util.Arrays;

/**
 * Where the items of a JSON List as {@code kubectl get -o json} writes it begin and end, found by one pass over its bytes
 * that follows strings and brackets and builds nothing, so that they can be parsed on several cores.
 *
 * <p>Only one top-level object with one {@code items} array of objects is split, with nothing but white space after it.
 * The pass does not validate: each item's span is parsed as exactly one JSON value, the header (the object with
 * {@code "items":[]}) is parsed as the List, and the pass checks that only white space and one comma lie between two
 * items; the input is valid JSON exactly when all of those parse. The caller reads the whole input in one pass whenever
 * anything is refused, so a split never changes what is read or what an error says, only how fast.
 */
final class JsonListSplit {
  private JsonListSplit() {}

  /** The split of {@code bytes[0, length)}, or {@code null} when it is not one object with an array of items. */
  static ListSplit of(byte[] bytes, int length) {
    int at = skipSpace(bytes, 0, length);
    if (at == length || bytes[at] != '{') {
      return null;
    }
    int itemsOpen = -1;
    int itemsClose = -1;
    int[] starts = new int[1024];
    int[] ends = new int[1024];
    int count = 0;
    at++;
    while (true) {
      at = skipSpace(bytes, at, length);
      if (at == length) {
        return null;
      }
      if (bytes[at] == '}') {
        at++;
        break;
      }
      if (bytes[at] != '"') {
        return null;
      }
      int keyStart = at + 1;
      at = skipString(bytes, at, length);
      if (at < 0) {
        return null;
      }
      boolean isItems = at - 1 - keyStart == 5 && bytes[keyStart] == 'i' && bytes[keyStart + 1] == 't'
          && bytes[keyStart + 2] == 'e' && bytes[keyStart + 3] == 'm' && bytes[keyStart + 4] == 's';
      at = skipSpace(bytes, at, length);
      if (at == length || bytes[at] != ':') {
        return null;
      }
      at = skipSpace(bytes, at + 1, length);
      if (at == length) {
        return null;
      }
      if (isItems) {
        if (itemsOpen >= 0 || bytes[at] != '[') {
          return null; // a second items, or items that are not an array: the one-pass reader names it
        }
        itemsOpen = at;
        at = skipSpace(bytes, at + 1, length);
        while (at < length && bytes[at] != ']') {
          if (bytes[at] != '{') {
            return null;
          }
          int end = skipValue(bytes, at, length);
          if (end < 0) {
            return null;
          }
          if (count == starts.length) {
            starts = Arrays.copyOf(starts, count * 2);
            ends = Arrays.copyOf(ends, count * 2);
          }
          starts[count] = at;
          ends[count++] = end;
          at = skipSpace(bytes, end, length);
          if (at < length && bytes[at] == ',') {
            at = skipSpace(bytes, at + 1, length);
            if (at < length && bytes[at] == ']') {
              return null; // a trailing comma
            }
          } else if (at < length && bytes[at] != ']') {
            return null;
          }
        }
        if (at == length) {
          return null;
        }
        itemsClose = at;
        at++;
      } else {
        at = skipValue(bytes, at, length);
        if (at < 0) {
          return null;
        }
      }
      at = skipSpace(bytes, at, length);
      if (at < length && bytes[at] == ',') {
        at++;
      } else if (at == length || bytes[at] != '}') {
        return null;
      }
    }
    if (count == 0 || skipSpace(bytes, at, length) != length) {
      return null; // nothing to share out, or more JSON values after the List
    }
    byte[] header = new byte[length - (itemsClose - itemsOpen - 1)];
    System.arraycopy(bytes, 0, header, 0, itemsOpen + 1);
    System.arraycopy(bytes, itemsClose, header, itemsOpen + 1, length - itemsClose);
    return new ListSplit(header, Arrays.copyOf(starts, count), Arrays.copyOf(ends, count));
  }

  private static int skipSpace(byte[] bytes, int at, int length) {
    while (at < length && (bytes[at] == ' ' || bytes[at] == '\n' || bytes[at] == '\r' || bytes[at] == '\t')) {
      at++;
    }
    return at;
  }

  /** Past the string opening at {@code at} (its closing quote), or -1 when it does not end. */
  private static int skipString(byte[] bytes, int at, int length) {
    at++;
    while (at < length) {
      byte b = bytes[at];
      if (b == '"') {
        return at + 1;
      }
      at += b == '\\' ? 2 : 1;
    }
    return -1;
  }

  /**
   * Past the value starting at {@code at}: a string, or everything up to the bracket that closes the one opening there
   * (strings followed, brackets counted alike), or a scalar up to the next separator; -1 when it does not end.
   */
  private static int skipValue(byte[] bytes, int at, int length) {
    byte first = bytes[at];
    if (first == '"') {
      return skipString(bytes, at, length);
    }
    if (first != '{' && first != '[') {
      while (at < length && bytes[at] != ',' && bytes[at] != '}' && bytes[at] != ']' && bytes[at] != ' '
          && bytes[at] != '\n' && bytes[at] != '\r' && bytes[at] != '\t') {
        at++;
      }
      return at;
    }
    int depth = 0;
    while (at < length) {
      byte b = bytes[at];
      if (b == '"') {
        at = skipString(bytes, at, length);
        if (at < 0) {
          return -1;
        }
        continue;
      }
      if (b == '{' || b == '[') {
        depth++;
      } else if ((b == '}' || b == ']') && --depth == 0) {
        return at + 1;
      }
      at++;
    }
    return -1;
  }
}
