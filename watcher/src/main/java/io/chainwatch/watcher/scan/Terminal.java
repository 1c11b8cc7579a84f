package io.chainwatch.watcher.scan;

/**
 * Text from a dump or the cluster (object names, labels, ids, error messages quoting them) made safe for a terminal:
 * control characters (ANSI escape sequences, carriage returns, new lines that would forge a second line) are shown as
 * {@code \\uXXXX}. The probe keeps its own copy: it depends on nothing of chainwatch.
 */
public final class Terminal {
  private Terminal() {}

  public static String safe(String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean control = c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029';
      if (control) {
        if (out == null) {
          out = new StringBuilder(text.length() + 16).append(text, 0, i);
        }
        out.append(String.format("\\u%04x", (int) c));
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? text : out.toString();
  }
}
