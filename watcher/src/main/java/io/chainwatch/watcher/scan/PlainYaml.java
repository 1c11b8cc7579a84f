package io.chainwatch.watcher.scan;

import io.chainwatch.watcher.informer.PruningSerialization;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the items of a YAML List written in the plain block style {@code kubectl get -o yaml} (and most YAML writers)
 * use, from its bytes, several times faster than SnakeYAML's scanner, and {@link Refused refuses} everything else.
 *
 * <p>What it reads: block mappings and sequences indented with spaces (a sequence may sit at its key's indentation),
 * plain, single- and double-quoted scalars, literal block scalars ({@code |} and {@code |-}), and the empty {@code {}}
 * and {@code []}. What it refuses, leaving the part to SnakeYAML: comments, anchors, aliases, tags, complex keys, flow
 * collections with content, folded and {@code |+} block scalars, indentation indicators, escapes other than JSON's, a
 * value it builds that continues on another line (one it skips may, as kubectl folds long strings), tabs, carriage
 * returns, characters YAML does not allow or treats as line breaks (U+0085, U+2028, U+2029), bytes that are not
 * UTF-8, and anything not valid YAML. Plain scalars are resolved by SnakeYAML's own resolver
 * ({@link DumpReader#resolvePlain}), so what is read is what SnakeYAML's reader reads: tests compare the two on real
 * charts and dumps, on generated documents and on mutations of them.
 *
 * <p>Values are built only where the keep rules ({@link PruningSerialization#ruleFor}) say a projection reads them;
 * skipped ones are still read to the end, so a refusal anywhere in a part refuses the part.
 */
final class PlainYaml {
  /** The input is outside the plain style, or not YAML: read it with SnakeYAML, which also names any error. */
  static final class Refused extends RuntimeException {
    Refused(String why) {
      super(why, null, false, false);
    }
  }

  /** SnakeYAML refuses a simple key longer than this. */
  private static final int MAX_SIMPLE_KEY = 1024;

  private final byte[] bytes;
  private final int end;
  private int pos;

  private PlainYaml(byte[] bytes, int from, int to) {
    this.bytes = bytes;
    this.pos = from;
    this.end = to;
  }

  /**
   * The items of the block sequence in {@code bytes[from, to)} (whole lines; the first is an entry), each as the keep
   * rule {@code keep} keeps it, as {@code DumpReader}'s SnakeYAML reader would build it.
   */
  static List<Object> items(byte[] bytes, int from, int to, Object keep) {
    checkCharacters(bytes, from, to);
    PlainYaml reader = new PlainYaml(bytes, from, to);
    int indent = reader.indentAt(from);
    List<Object> items = new ArrayList<>();
    reader.sequence(indent, keep, true, items);
    reader.skipBlankLines();
    if (reader.pos != to || items.isEmpty()) {
      throw new Refused("content after the sequence, or no sequence");
    }
    return items;
  }

  /**
   * Refuses bytes that are not UTF-8 ({@link DumpReader#isUtf8}), control characters, tabs, carriage returns, DEL and
   * the code points YAML 1.1 treats as line breaks or does not print: C1 controls (U+0080 to U+009F, U+0085 among
   * them), U+2028, U+2029, U+FEFF, U+FFFE, U+FFFF.
   */
  static void checkCharacters(byte[] bytes, int from, int to) {
    if (!DumpReader.isUtf8(bytes, from, to)) {
      throw new Refused("not UTF-8");
    }
    for (int i = from; i < to; i++) {
      int b = bytes[i] & 0xFF;
      // valid UTF-8: a lead byte C2, E2 or EF has its continuation bytes after it
      if ((b < 0x20 && b != '\n') || b == 0x7F
          || (b == 0xC2 && (bytes[i + 1] & 0xFF) < 0xA0)
          || (b == 0xE2 && bytes[i + 1] == (byte) 0x80 && (bytes[i + 2] == (byte) 0xA8 || bytes[i + 2] == (byte) 0xA9))
          || (b == 0xEF && ((bytes[i + 1] == (byte) 0xBB && bytes[i + 2] == (byte) 0xBF)
              || (bytes[i + 1] == (byte) 0xBF && (bytes[i + 2] == (byte) 0xBE || bytes[i + 2] == (byte) 0xBF))))) {
        throw new Refused("a character YAML does not read as text");
      }
    }
  }

  // ---- lines

  private int lineEnd(int at) {
    while (at < end && bytes[at] != '\n') {
      at++;
    }
    return at;
  }

  private int nextLine(int at) {
    int lineEnd = lineEnd(at);
    return lineEnd < end ? lineEnd + 1 : lineEnd;
  }

  private int indentAt(int lineStart) {
    int at = lineStart;
    while (at < end && bytes[at] == ' ') {
      at++;
    }
    return at - lineStart;
  }

  private boolean blankLine(int lineStart) {
    int at = lineStart + indentAt(lineStart);
    return at == end || bytes[at] == '\n';
  }

  /** Moves {@link #pos} (a line start) past blank lines; a comment line is refused. */
  private void skipBlankLines() {
    while (pos < end) {
      int content = pos + indentAt(pos);
      if (content < end && bytes[content] == '#') {
        throw new Refused("a comment");
      }
      if (content < end && bytes[content] != '\n') {
        return;
      }
      pos = nextLine(pos);
    }
  }

  /** The indentation of the next line with content at or after {@link #pos} (a line start), -1 at the end. */
  private int nextIndent() {
    skipBlankLines();
    return pos == end ? -1 : indentAt(pos);
  }

  private boolean isEntry(int at) {
    return at < end && bytes[at] == '-' && (at + 1 == end || bytes[at + 1] == ' ' || bytes[at + 1] == '\n');
  }

  // ---- collections

  /** A block sequence whose entries start at column {@code indent}; {@link #pos} is at its first entry's line. */
  private void sequence(int indent, Object keep, boolean build, List<Object> into) {
    while (true) {
      int lineIndent = nextIndent();
      if (lineIndent < indent) {
        return;
      }
      if (lineIndent > indent) {
        throw new Refused("a line indented deeper than the sequence");
      }
      int dash = pos + indent;
      if (!isEntry(dash)) {
        return; // the next key of the mapping this sequence is the value of
      }
      int content = dash + 1;
      while (content < end && bytes[content] == ' ') {
        content++;
      }
      if (content == end || bytes[content] == '\n') {
        throw new Refused("an entry whose node starts on the next line");
      }
      if (isEntry(content)) {
        throw new Refused("a sequence in a sequence");
      }
      Object value;
      if (keyEnd(content) >= 0) {
        value = mapping(content - pos, content, keep, build);
      } else {
        value = inlineValue(content, indent, build);
      }
      if (build) {
        into.add(value);
      }
    }
  }

  /**
   * A block mapping whose keys start at column {@code indent}; its first key is at {@code firstKey} (a line's content,
   * or after an entry's {@code - }).
   */
  private Object mapping(int indent, int firstKey, Object keep, boolean build) {
    boolean whole = Boolean.TRUE.equals(keep);
    Map<Object, Object> map = build ? new LinkedHashMap<>() : null;
    Set<Object> seen = build ? new HashSet<>() : null;
    int key = firstKey;
    while (true) {
      int colon = keyEnd(key);
      if (colon < 0) {
        throw new Refused("a line in a mapping that is not a key");
      }
      Object name = build ? keyValue(key, colon) : null; // keyEnd checked it
      if (build && !seen.add(name)) {
        throw new Refused("a duplicate key"); // SnakeYAML's reader names it
      }
      Object rule = !build ? null : whole ? Boolean.TRUE : name instanceof String field
          ? PruningSerialization.ruleFor(keep, field) : null;
      boolean buildValue = build && rule != null;
      int after = colon + 1;
      while (after < end && bytes[after] == ' ') {
        after++;
      }
      Object value;
      if (after == end || bytes[after] == '\n') {
        pos = after == end ? end : after + 1;
        value = nestedNode(indent, rule, buildValue);
      } else {
        value = inlineValue(after, indent, buildValue);
      }
      if (buildValue) {
        map.put(name, value);
      }
      int lineIndent = nextIndent();
      if (lineIndent < indent) {
        return map;
      }
      if (lineIndent > indent || isEntry(pos + indent)) {
        throw new Refused("a line that is neither the next key nor after the mapping");
      }
      key = pos + indent;
    }
  }

  /** The value of a key with nothing after its colon: a node on the lines below, or null. */
  private Object nestedNode(int keyIndent, Object keep, boolean build) {
    int lineIndent = nextIndent();
    if (lineIndent < 0 || lineIndent < keyIndent || (lineIndent == keyIndent && !isEntry(pos + lineIndent))) {
      return null; // "key:" alone: an empty plain scalar, which resolves to null
    }
    int content = pos + lineIndent;
    if (isEntry(content)) {
      List<Object> list = build ? new ArrayList<>() : null;
      sequence(lineIndent, keep, build, list);
      return list;
    }
    if (keyEnd(content) < 0) {
      throw new Refused("a scalar on the line below its key");
    }
    return mapping(lineIndent, content, keep, build);
  }

  /**
   * A scalar, {@code {}} or {@code []} starting at {@code at} and ending its line; {@code parentIndent} is the column of
   * its key or entry, which no following line may pass (that would continue it). Leaves {@link #pos} at the next line.
   */
  private Object inlineValue(int at, int parentIndent, boolean build) {
    byte first = bytes[at];
    Object value;
    int after;
    switch (first) {
      case '"' -> {
        after = doubleQuotedEnd(at, !build);
        value = build ? doubleQuoted(at, after) : null;
      }
      case '\'' -> {
        after = singleQuotedEnd(at, !build);
        value = build ? singleQuoted(at, after) : null;
      }
      case '|' -> {
        return literal(at, parentIndent, build);
      }
      case '{', '[' -> {
        if (at + 1 >= end || bytes[at + 1] != (first == '{' ? '}' : ']')) {
          throw new Refused("a flow collection with content");
        }
        after = at + 2;
        value = build ? (first == '{' ? new LinkedHashMap<>() : new ArrayList<>()) : null;
      }
      default -> {
        if (isIndicator(at)) {
          throw new Refused("an indicator: " + (char) first);
        }
        int lineEnd = lineEnd(at);
        int last = lineEnd;
        while (bytes[last - 1] == ' ') {
          last--;
        }
        for (int i = at; i < last; i++) {
          if ((bytes[i] == ':' && (i + 1 == last || bytes[i + 1] == ' ')) || (bytes[i] == '#' && bytes[i - 1] == ' ')) {
            throw new Refused("': ' or ' #' in a plain scalar");
          }
        }
        after = lineEnd;
        value = build ? DumpReader.resolvePlain(new String(bytes, at, last - at, StandardCharsets.UTF_8)) : null;
      }
    }
    while (after < end && bytes[after] == ' ') {
      after++;
    }
    if (after < end && bytes[after] != '\n') {
      throw new Refused("more after a value on its line");
    }
    pos = after == end ? end : after + 1;
    int lineIndent = nextIndent();
    if (lineIndent > parentIndent) {
      if (build || first == '"' || first == '\'' || first == '{' || first == '[') {
        throw new Refused("a scalar continued on the next line, or a line too deep after a value");
      }
      skipPlainContinuation(parentIndent);
    }
    return value;
  }

  /**
   * Skips the lines that continue a plain scalar (deeper than its key or entry), which SnakeYAML reads as text up to a
   * {@code ": "} or {@code " #"}; a line holding either is refused (SnakeYAML would find a key or a comment there).
   */
  private void skipPlainContinuation(int parentIndent) {
    while (nextIndent() > parentIndent) {
      int lineEnd = lineEnd(pos);
      for (int i = pos; i < lineEnd; i++) {
        if ((bytes[i] == ':' && (i + 1 == lineEnd || bytes[i + 1] == ' ')) || (bytes[i] == '#' && bytes[i - 1] == ' ')) {
          throw new Refused("': ' or ' #' in a plain scalar's continuation");
        }
      }
      pos = lineEnd < end ? lineEnd + 1 : end;
    }
  }

  /** {@code |} or {@code |-} at {@code at}, then its lines, all indented deeper than {@code parentIndent}. */
  private String literal(int at, int parentIndent, boolean build) {
    int header = at + 1;
    boolean strip = false;
    if (header < end && bytes[header] == '-') {
      strip = true;
      header++;
    }
    while (header < end && bytes[header] == ' ') {
      header++;
    }
    if (header < end && bytes[header] != '\n') {
      throw new Refused("a block scalar header other than | or |-");
    }
    pos = header == end ? end : header + 1;
    if (pos == end || blankLine(pos)) {
      throw new Refused("a block scalar that is empty or starts with an empty line");
    }
    int contentIndent = indentAt(pos);
    if (contentIndent <= parentIndent) {
      throw new Refused("an empty block scalar");
    }
    StringBuilder text = build ? new StringBuilder() : null;
    int pendingEmpty = 0;
    boolean any = false;
    while (pos < end) {
      int indent = indentAt(pos);
      int lineEnd = lineEnd(pos);
      if (pos + indent == lineEnd) {
        if (indent > contentIndent) {
          throw new Refused("an empty line in a block scalar with spaces past its indentation");
        }
        pendingEmpty++;
        pos = lineEnd < end ? lineEnd + 1 : end;
        continue;
      }
      if (indent < contentIndent) {
        break;
      }
      if (build) {
        if (any) {
          text.append('\n');
        }
        text.append("\n".repeat(pendingEmpty));
        text.append(new String(bytes, pos + contentIndent, lineEnd - pos - contentIndent, StandardCharsets.UTF_8));
      }
      pendingEmpty = 0;
      any = true;
      pos = lineEnd < end ? lineEnd + 1 : end;
    }
    if (pos < end && indentAt(pos) > parentIndent) {
      throw new Refused("a line after a block scalar, deeper than its key");
    }
    if (pos == end && pendingEmpty == 0 && (end == 0 || bytes[end - 1] != '\n')) {
      throw new Refused("a block scalar at the end of the input without a line break");
    }
    if (!build) {
      return null;
    }
    return strip ? text.toString() : text.append('\n').toString();
  }

  // ---- scalars and keys

  /**
   * Where the colon after the key starting at {@code at} is, or -1 when the line is not {@code key:} followed by a
   * space or the line's end.
   */
  private int keyEnd(int at) {
    int lineEnd = lineEnd(at);
    int i;
    if (bytes[at] == '"' || bytes[at] == '\'') {
      try {
        i = bytes[at] == '"' ? doubleQuotedEnd(at, false) : singleQuotedEnd(at, false);
      } catch (Refused notOnOneLine) {
        return -1; // not a key: a value, which inlineValue reads (or refuses)
      }
    } else {
      if (isIndicator(at) || bytes[at] == '|' || bytes[at] == '{' || bytes[at] == '[') {
        return -1;
      }
      i = at;
      while (i < lineEnd) {
        if (bytes[i] == ':' && (i + 1 == lineEnd || bytes[i + 1] == ' ')) {
          int last = i;
          while (bytes[last - 1] == ' ') {
            last--;
          }
          return i - at > MAX_SIMPLE_KEY || hasCommentStart(at, last) ? refuseKey() : i;
        }
        i++;
      }
      return -1;
    }
    if (i - at > MAX_SIMPLE_KEY) {
      return refuseKey();
    }
    while (i < lineEnd && bytes[i] == ' ') {
      i++;
    }
    return i < lineEnd && bytes[i] == ':' && (i + 1 == lineEnd || bytes[i + 1] == ' ') ? i : -1;
  }

  private static int refuseKey() {
    throw new Refused("a key longer than SnakeYAML reads, or with a comment in it");
  }

  private boolean hasCommentStart(int from, int to) {
    for (int i = from + 1; i < to; i++) {
      if (bytes[i] == '#' && bytes[i - 1] == ' ') {
        return true;
      }
    }
    return false;
  }

  private Object keyValue(int at, int colon) {
    if (bytes[at] == '"') {
      return doubleQuoted(at, doubleQuotedEnd(at, false));
    }
    if (bytes[at] == '\'') {
      return singleQuoted(at, singleQuotedEnd(at, false));
    }
    int last = colon;
    while (bytes[last - 1] == ' ') {
      last--;
    }
    return DumpReader.resolvePlain(new String(bytes, at, last - at, StandardCharsets.UTF_8));
  }

  /** What may not start a plain scalar ({@code -?:} may, before anything but a space, as in {@code :4244}). */
  private boolean isIndicator(int at) {
    byte b = bytes[at];
    return switch (b) {
      case ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`' -> true;
      case '-', '?', ':' -> at + 1 == end || bytes[at + 1] == ' ' || bytes[at + 1] == '\n';
      default -> false;
    };
  }

  /** Past the closing quote of the single-quoted scalar at {@code at}, as {@link #doubleQuotedEnd} finds it. */
  private int singleQuotedEnd(int at, boolean lines) {
    int i = at + 1;
    while (i < end) {
      if (bytes[i] == '\'') {
        if (i + 1 < end && bytes[i + 1] == '\'') {
          i += 2;
          continue;
        }
        return i + 1;
      }
      if (bytes[i] == '\n') {
        i = nextLine(i, lines, "single");
        continue;
      }
      i++;
    }
    throw new Refused("a single-quoted scalar that does not end");
  }

  private String singleQuoted(int at, int after) {
    return new String(bytes, at + 1, after - at - 2, StandardCharsets.UTF_8).replace("''", "'");
  }

  /**
   * Past the closing quote of the double-quoted scalar at {@code at}: on its line, or, when {@code lines}, on a later one
   * (a value that is skipped, not built: kubectl folds long strings so).
   */
  private int doubleQuotedEnd(int at, boolean lines) {
    int i = at + 1;
    while (i < end) {
      byte b = bytes[i];
      if (b == '\\') {
        if (lines && i + 1 < end && bytes[i + 1] == '\n') {
          i = continuation(i + 2);
          continue;
        }
        i += escapeLength(i); // checked even where the value is skipped: SnakeYAML refuses a bad escape anywhere
        continue;
      }
      if (b == '"') {
        return i + 1;
      }
      if (b == '\n') {
        i = nextLine(i, lines, "double");
        continue;
      }
      i++;
    }
    throw new Refused("a double-quoted scalar that does not end");
  }

  /** Past the line break at {@code at} in a quoted scalar: only a value that is skipped ({@code lines}) may go on. */
  private int nextLine(int at, boolean lines, String style) {
    if (!lines) {
      throw new Refused("a " + style + "-quoted scalar over several lines");
    }
    return continuation(at + 1);
  }

  /** The start of a quoted scalar's next line, which may not be a document marker (SnakeYAML refuses it there). */
  private int continuation(int lineStart) {
    if (lineStart + 3 <= end && ((bytes[lineStart] == '-' && bytes[lineStart + 1] == '-' && bytes[lineStart + 2] == '-')
        || (bytes[lineStart] == '.' && bytes[lineStart + 1] == '.' && bytes[lineStart + 2] == '.'))) {
      throw new Refused("a document marker inside a quoted scalar");
    }
    return lineStart;
  }

  /**
   * The length of the escape at {@code at}: those of JSON but {@code \/}, with a <code>&#92;u</code> escape's 4 hexadecimal
   * digits naming no surrogate; any other escape (YAML has more) and an escaped line break are refused.
   */
  private int escapeLength(int at) {
    byte escape = at + 1 < end ? bytes[at + 1] : (byte) '\n';
    switch (escape) {
      case '"', '\\', 'n', 't', 'r', 'b', 'f', '0', ' ' -> {
        return 2;
      }
      case 'u' -> {
        if (at + 6 > end) {
          throw new Refused("a cut \\u escape");
        }
        int code = 0;
        for (int k = at + 2; k < at + 6; k++) {
          int digit = Character.digit(bytes[k], 16);
          if (digit < 0 || bytes[k] > 'f') {
            throw new Refused("a \\u escape that is not hexadecimal");
          }
          code = code * 16 + digit;
        }
        if (code >= 0xD800 && code <= 0xDFFF) {
          throw new Refused("a surrogate in a \\u escape");
        }
        return 6;
      }
      default -> throw new Refused("an escape the plain style does not read");
    }
  }

  /** The text of a double-quoted scalar whose escapes {@link #escapeLength} checked. */
  private String doubleQuoted(int at, int after) {
    int from = at + 1;
    int to = after - 1;
    int backslash = from;
    while (backslash < to && bytes[backslash] != '\\') {
      backslash++;
    }
    if (backslash == to) {
      return new String(bytes, from, to - from, StandardCharsets.UTF_8);
    }
    StringBuilder text = new StringBuilder(new String(bytes, from, backslash - from, StandardCharsets.UTF_8));
    int i = backslash;
    while (i < to) {
      if (bytes[i] != '\\') {
        int run = i;
        while (run < to && bytes[run] != '\\') {
          run++;
        }
        text.append(new String(bytes, i, run - i, StandardCharsets.UTF_8));
        i = run;
        continue;
      }
      byte escape = bytes[i + 1];
      switch (escape) {
        case '"' -> text.append('"');
        case '\\' -> text.append('\\');
        case 'n' -> text.append('\n');
        case 't' -> text.append('\t');
        case 'r' -> text.append('\r');
        case 'b' -> text.append('\b');
        case 'f' -> text.append('\f');
        case '0' -> text.append('\0');
        case ' ' -> text.append(' ');
        case 'u' -> {
          text.append((char) Integer.parseInt(new String(bytes, i + 2, 4, StandardCharsets.US_ASCII), 16));
          i += 6;
          continue;
        }
        default -> throw new IllegalStateException("an escape escapeLength let through: " + (char) escape);
      }
      i += 2;
    }
    return text.toString();
  }
}
