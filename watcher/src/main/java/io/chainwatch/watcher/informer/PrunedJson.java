package io.chainwatch.watcher.informer;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads JSON from bytes keeping what a rule keeps ({@link PruningSerialization#keepRules}), and steps over everything
 * else byte by byte: names and values of a skipped subtree are checked but never decoded.
 *
 * <p>Why not Jackson here: its tokenizer decodes every name of a skipped subtree and looks it up in its symbol table
 * (a pod's managed fields, containers, volumes, env: hundreds of names, ≈ 15 % of the informers' event loop in a
 * 150k-pod sync; {@code parseMediumName2} was the top frame). What is kept is built as {@link
 * PruningSerialization#value} builds it: objects as {@link LinkedHashMap} (a repeated name keeps its last value),
 * arrays as {@link ArrayList}, integers as the smallest of Integer, Long and BigInteger, other numbers as Double.
 *
 * <p>It reads only what it is sure Jackson reads the same way, and refuses the rest (returns {@code null}), so that
 * Jackson reads it and reports any problem as before: input that is not RFC 8259 JSON, bytes that are not UTF-8 by
 * RFC 3629 (stricter than Jackson, which accepts encoded surrogates), an escaped surrogate that is not half of a pair
 * (Jackson refuses one in a name, keeps one in a value), nesting deeper than {@link #MAX_DEPTH}, numbers
 * longer than {@link #MAX_NUMBER_LENGTH} or out of a double's range, names longer than {@link #MAX_NAME_LENGTH},
 * kept strings longer than {@link #MAX_STRING_LENGTH}.
 * {@code PrunedJsonTest} holds it to that against Jackson on fixtures, generated documents and random edits.
 */
public final class PrunedJson {
  /** Deeper nesting is refused (Jackson's own limit is 500 in 3.0; objects here are a dozen deep). */
  static final int MAX_DEPTH = 200;
  /** Jackson's default limit on a number's length is 1,000 characters. */
  static final int MAX_NUMBER_LENGTH = 500;
  /** Jackson's default limit on a name's length is 50,000 bytes. */
  static final int MAX_NAME_LENGTH = 10_000;
  /**
   * A longer string that is kept is refused (Jackson's default limit on a string it builds is 20,000,000 characters;
   * Kubernetes refuses objects above about 1.5 MB). Skipped strings have no limit here, as in Jackson.
   */
  static final int MAX_STRING_LENGTH = 1_000_000;

  /** Thrown to unwind a refusal; carries nothing, so it costs no stack trace. */
  private static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Refused() {
      super(null, null, false, false);
    }
  }

  private static final Refused REFUSED = new Refused();

  private final byte[] in;
  private final int end;
  /** The rules of the whole object (or of each item, or of the event's object). */
  private final Object rules;
  private int pos;
  private int depth;

  private PrunedJson(byte[] in, int from, int to, Object rules) {
    this.in = in;
    this.pos = from;
    this.end = to;
    this.rules = rules;
  }

  /** A list page as {@link PruningSerialization} reads one: what is kept of each item, and the list's own fields. */
  public record Page(String apiVersion, String kind, Map<String, Object> metadata, List<Map<String, Object>> items) {}

  /** A watch event: its type and what is kept of its object. */
  public record Event(String type, Map<String, Object> object) {}

  /** What {@code keep} keeps of the one object in {@code in[from, to)} (whitespace around it allowed), or null. */
  public static Map<String, Object> object(byte[] in, int from, int to, Object keep) {
    return read(in, from, to, keep, PrunedJson::object);
  }

  /**
   * The list in {@code in[from, to)}: {@code apiVersion} and {@code kind} when they are strings, {@code metadata} whole
   * when it is an object, and of each item what {@code keep} keeps; other fields are skipped. Null when the bytes are
   * refused, an item is not an object, or {@code items} appears twice.
   */
  public static Page list(byte[] in, int from, int to, Object keep) {
    return read(in, from, to, keep, PrunedJson::page);
  }

  /**
   * The watch event in {@code in[from, to)}: {@code type} when it is a string and what {@code keep} keeps of
   * {@code object} when it is an object (either may be null); other fields are skipped. Null when refused.
   */
  public static Event event(byte[] in, int from, int to, Object keep) {
    return read(in, from, to, keep, PrunedJson::event);
  }

  /** What {@code reading} reads with a reader of {@code in[from, to)}, or null when the reader refuses. */
  private static <T> T read(byte[] in, int from, int to, Object keep,
      java.util.function.Function<PrunedJson, T> reading) {
    try {
      return reading.apply(new PrunedJson(in, from, to, keep));
    } catch (Refused | ArrayIndexOutOfBoundsException e) {
      return null; // past the array's end: a string or name running off the input
    }
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> object() {
    whitespace();
    if (peek() != '{') {
      throw REFUSED;
    }
    Map<String, Object> object = (Map<String, Object>) pruned(rules);
    atEnd();
    return object;
  }

  private Page page() {
    ListFields list = new ListFields();
    fields(list);
    return new Page(list.apiVersion, list.kind, list.metadata, list.items);
  }

  private Event event() {
    EventFields event = new EventFields();
    fields(event);
    return new Event(event.type, event.object);
  }

  /** A list's fields as {@link PruningSerialization}'s Jackson path reads them. */
  private final class ListFields implements FieldReader {
    String apiVersion;
    String kind;
    Map<String, Object> metadata;
    final List<Map<String, Object>> items = new ArrayList<>();
    private boolean itemsSeen;

    @Override
    @SuppressWarnings("unchecked")
    public void read(String field, byte first) {
      if ("items".equals(field) && first == '[') {
        if (itemsSeen) {
          throw REFUSED; // the Jackson path reads both arrays; it decides
        }
        itemsSeen = true;
        items(items);
      } else if ("metadata".equals(field) && first == '{') {
        metadata = (Map<String, Object>) value();
      } else if ("apiVersion".equals(field) && first == '"') {
        apiVersion = string();
      } else if ("kind".equals(field) && first == '"') {
        kind = string();
      } else {
        skip();
      }
    }
  }

  /** A watch event's fields as {@link PruningSerialization}'s Jackson path reads them. */
  private final class EventFields implements FieldReader {
    String type;
    Map<String, Object> object;

    @Override
    @SuppressWarnings("unchecked")
    public void read(String field, byte first) {
      if ("type".equals(field) && first == '"') {
        type = string();
      } else if ("object".equals(field) && first == '{') {
        object = (Map<String, Object>) pruned(rules);
      } else {
        skip();
      }
    }
  }

  /** Reads the value of one field of the top-level object; the reader is at the value, whose first byte is given. */
  private interface FieldReader {
    void read(String field, byte first);
  }

  /** The fields of the top-level object in turn, then nothing but whitespace to the end. */
  private void fields(FieldReader each) {
    whitespace();
    expect('{');
    depth++;
    if (!closes('}')) {
      do {
        String field = name();
        each.read(field, peek());
        whitespace();
      } while (comma('}'));
    }
    depth--;
    atEnd();
  }

  /** The items of a list, at its '[': each must be an object, and is pruned by {@link #rules}. */
  @SuppressWarnings("unchecked")
  private void items(List<Map<String, Object>> items) {
    pos++;
    depth++;
    if (!closes(']')) {
      do {
        whitespace();
        if (peek() != '{') {
          throw REFUSED;
        }
        items.add((Map<String, Object>) pruned(rules));
        whitespace();
      } while (comma(']'));
    }
    depth--;
  }

  /** {@link PruningSerialization}'s rule walk: the value here, pruned by {@code keep}. */
  private Object pruned(Object keep) {
    if (Boolean.TRUE.equals(keep)) {
      return value();
    }
    byte first = peek();
    if (first == '[' && keep instanceof Map) {
      // a list of objects (containers): the rule applies to each element
      pos++;
      enter();
      List<Object> elements = new ArrayList<>();
      if (!closes(']')) {
        do {
          whitespace();
          elements.add(pruned(keep));
          whitespace();
        } while (comma(']'));
      }
      depth--;
      return elements;
    }
    if (first != '{') {
      return value(); // not the shape expected: kept, the projection will judge
    }
    pos++;
    enter();
    Map<String, Object> out = new LinkedHashMap<>();
    RuleNames names = RULE_NAMES.get(keep);
    if (!closes('}')) {
      do {
        int known = names == null ? -1 : names.at(this);
        if (known == SKIPPED) {
          skip();
        } else if (known >= 0) {
          out.put(names.names[known], pruned(names.rules[known]));
        } else {
          String field = name();
          Object rule = PruningSerialization.ruleFor(keep, field);
          if (rule == null) {
            skip();
          } else {
            out.put(field, pruned(rule));
          }
        }
        whitespace();
      } while (comma('}'));
    }
    depth--;
    return out;
  }

  /** The value here, built whole. */
  private Object value() {
    byte first = peek();
    switch (first) {
      case '{': {
        pos++;
        enter();
        Map<String, Object> object = new LinkedHashMap<>();
        if (!closes('}')) {
          do {
            String field = name();
            object.put(field, value());
            whitespace();
          } while (comma('}'));
        }
        depth--;
        return object;
      }
      case '[': {
        pos++;
        enter();
        List<Object> array = new ArrayList<>();
        if (!closes(']')) {
          do {
            whitespace();
            array.add(value());
            whitespace();
          } while (comma(']'));
        }
        depth--;
        return array;
      }
      case '"':
        return string();
      case 't':
        literal("true");
        return Boolean.TRUE;
      case 'f':
        literal("false");
        return Boolean.FALSE;
      case 'n':
        literal("null");
        return null;
      default:
        return number();
    }
  }

  /** Steps over the value here, checking it is JSON without building anything. */
  private void skip() {
    byte first = peek();
    switch (first) {
      case '{':
        pos++;
        enter();
        if (!closes('}')) {
          do {
            whitespace();
            skipString(MAX_NAME_LENGTH);
            whitespace();
            expect(':');
            whitespace();
            skip();
            whitespace();
          } while (comma('}'));
        }
        depth--;
        return;
      case '[':
        pos++;
        enter();
        if (!closes(']')) {
          do {
            whitespace();
            skip();
            whitespace();
          } while (comma(']'));
        }
        depth--;
        return;
      case '"':
        skipString(Integer.MAX_VALUE);
        return;
      case 't':
        literal("true");
        return;
      case 'f':
        literal("false");
        return;
      case 'n':
        literal("null");
        return;
      default:
        numberEnd();
    }
  }

  /** {@link RuleNames#at}: a plain name that no rule keeps, already stepped over with its colon. */
  private static final int SKIPPED = -2;

  /**
   * The names a rule map keeps, as bytes, so that a plain name (ASCII, no escape) is matched without building a String
   * and the kept field is named by the rule's own String. Built once for every map in {@link
   * PruningSerialization#keepRules()}; other rules go the general way.
   */
  private static final class RuleNames {
    final byte[][] bytes;
    final String[] names;
    final Object[] rules;

    RuleNames(Map<?, ?> rules) {
      int n = rules.size();
      this.bytes = new byte[n][];
      this.names = new String[n];
      this.rules = new Object[n];
      int i = 0;
      for (Map.Entry<?, ?> rule : rules.entrySet()) {
        names[i] = (String) rule.getKey();
        bytes[i] = names[i].getBytes(StandardCharsets.ISO_8859_1);
        this.rules[i] = rule.getValue();
        i++;
      }
    }

    /**
     * At a name: the index of the rule it names, past the name and its colon; {@link #SKIPPED} past them when no rule
     * names it; -1 without moving when it is not a plain name (escapes, bytes beyond ASCII), left to the general way.
     */
    int at(PrunedJson reader) {
      reader.whitespace();
      byte[] in = reader.in;
      int start = reader.pos + 1;
      if (reader.peek() != '"') {
        throw REFUSED;
      }
      int end = start;
      while (PLAIN[in[end] & 0xFF]) {
        end++;
      }
      if (end >= reader.end || in[end] != '"' || end - start > MAX_NAME_LENGTH) {
        return -1;
      }
      int found = SKIPPED;
      int length = end - start;
      for (int i = 0; i < bytes.length; i++) {
        if (bytes[i].length == length && java.util.Arrays.equals(bytes[i], 0, length, in, start, end)) {
          found = i;
          break;
        }
      }
      reader.pos = end + 1;
      reader.whitespace();
      reader.expect(':');
      reader.whitespace();
      return found;
    }
  }

  /** Every rule map of the keep rules, by identity. */
  private static final Map<Object, RuleNames> RULE_NAMES = ruleNames();

  private static Map<Object, RuleNames> ruleNames() {
    Map<Object, RuleNames> byRules = new java.util.IdentityHashMap<>();
    java.util.ArrayDeque<Object> pending = new java.util.ArrayDeque<>(List.of(PruningSerialization.keepRules()));
    while (!pending.isEmpty()) {
      if (pending.pop() instanceof Map<?, ?> rules && !byRules.containsKey(rules)
          && rules.keySet().stream().allMatch(name -> name instanceof String text
              && text.chars().allMatch(c -> c >= 0x20 && c < 0x7F && c != '"' && c != '\\'))) {
        byRules.put(rules, new RuleNames(rules));
        rules.values().forEach(pending::push);
      }
    }
    return byRules;
  }

  private void enter() {
    if (++depth > MAX_DEPTH) {
      throw REFUSED;
    }
  }

  /** A name, its colon and the whitespace up to its value. */
  private String name() {
    whitespace();
    if (peek() != '"') {
      throw REFUSED;
    }
    int start = pos;
    String name = string();
    if (pos - start > MAX_NAME_LENGTH) {
      throw REFUSED;
    }
    whitespace();
    expect(':');
    whitespace();
    return name;
  }

  /** After whitespace: true and past it when {@code close} is next (an empty object or array). */
  private boolean closes(char close) {
    whitespace();
    if (pos < end && in[pos] == close) {
      pos++;
      return true;
    }
    return false;
  }

  /** After a member: true past a comma, false past {@code close}; anything else is refused. */
  private boolean comma(char close) {
    byte next = peek();
    pos++;
    if (next == ',') {
      return true;
    }
    if (next == close) {
      return false;
    }
    throw REFUSED;
  }

  private void expect(char expected) {
    if (peek() != expected) {
      throw REFUSED;
    }
    pos++;
  }

  private byte peek() {
    if (pos >= end) {
      throw REFUSED;
    }
    return in[pos];
  }

  private void whitespace() {
    while (pos < end) {
      byte b = in[pos];
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return;
      }
      pos++;
    }
  }

  private void atEnd() {
    whitespace();
    if (pos != end) {
      throw REFUSED;
    }
  }

  private void literal(String word) {
    if (end - pos < word.length()) {
      throw REFUSED;
    }
    for (int i = 0; i < word.length(); i++) {
      if (in[pos + i] != word.charAt(i)) {
        throw REFUSED;
      }
    }
    pos += word.length();
    // Jackson reads "truex" as an error, not as true followed by something
    if (pos < end && isNameChar(in[pos])) {
      throw REFUSED;
    }
  }

  private static boolean isNameChar(byte b) {
    return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_' || b == '-'
        || b == '+' || b == '.' || b < 0;
  }

  /**
   * Past the number here, checked against RFC 8259's grammar; returns whether it has a fraction or an exponent.
   * Jackson refuses what the grammar refuses (leading zeros, a bare minus, "1.", ".5", "+1") and so does this.
   */
  private boolean numberEnd() {
    int start = pos;
    if (pos < end && in[pos] == '-') {
      pos++;
    }
    if (pos >= end) {
      throw REFUSED;
    }
    if (in[pos] == '0') {
      pos++;
    } else if (in[pos] >= '1' && in[pos] <= '9') {
      digits();
    } else {
      throw REFUSED;
    }
    boolean floating = false;
    if (pos < end && in[pos] == '.') {
      pos++;
      floating = true;
      if (digits() == 0) {
        throw REFUSED;
      }
    }
    if (pos < end && (in[pos] == 'e' || in[pos] == 'E')) {
      pos++;
      floating = true;
      if (pos < end && (in[pos] == '+' || in[pos] == '-')) {
        pos++;
      }
      if (digits() == 0) {
        throw REFUSED;
      }
    }
    if (pos - start > MAX_NUMBER_LENGTH || (pos < end && isNameChar(in[pos]))) {
      throw REFUSED; // "01", "1x": Jackson reports them; so does it here, through Jackson
    }
    return floating;
  }

  private int digits() {
    int start = pos;
    while (pos < end && in[pos] >= '0' && in[pos] <= '9') {
      pos++;
    }
    return pos - start;
  }

  /** As Jackson's {@code getNumberValue} for integers and {@code getDoubleValue} for the rest. */
  private Object number() {
    int start = pos;
    boolean floating = numberEnd();
    String text = new String(in, start, pos - start, StandardCharsets.ISO_8859_1);
    if (floating) {
      double value = Double.parseDouble(text);
      if (Double.isInfinite(value)) {
        throw REFUSED; // beyond a double: Jackson decides
      }
      return value;
    }
    int length = pos - start;
    if (length <= 9) {
      return Integer.valueOf(Integer.parseInt(text));
    }
    if (length <= 18) {
      long value = Long.parseLong(text);
      if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
        return Integer.valueOf((int) value); // not in a conditional expression: that would widen it back to a Long
      }
      return Long.valueOf(value);
    }
    BigInteger value = new BigInteger(text);
    if (value.bitLength() < 32) {
      return Integer.valueOf(value.intValue());
    }
    if (value.bitLength() < 64) {
      return Long.valueOf(value.longValue());
    }
    return value;
  }

  /** The string here, unescaped. */
  private String string() {
    int start = ++pos; // past the quote
    // plain ASCII without escapes, the common case: one pass, no decoding
    while (pos < end) {
      byte b = in[pos];
      if (b == '"') {
        if (pos - start > MAX_STRING_LENGTH) {
          throw REFUSED;
        }
        return new String(in, start, pos++ - start, StandardCharsets.ISO_8859_1);
      }
      if (b == '\\' || b < 0x20) {
        break; // negative bytes (UTF-8 beyond ASCII) are below 0x20 too
      }
      pos++;
    }
    pos = start;
    StringBuilder out = new StringBuilder(32);
    while (true) {
      byte b = peek();
      if (b == '"') {
        pos++;
        if (pos - start > MAX_STRING_LENGTH) {
          throw REFUSED;
        }
        return out.toString();
      }
      if (b == '\\') {
        escape(out);
      } else if (b >= 0x20) {
        out.append((char) b);
        pos++;
      } else if (b >= 0) {
        throw REFUSED; // a control character must be escaped
      } else {
        out.appendCodePoint(utf8());
      }
    }
  }

  /** Past the string here, checked as {@link #string} checks it. */
  private void skipString(int maxLength) {
    if (peek() != '"') {
      throw REFUSED;
    }
    byte[] bytes = in;
    int start = ++pos;
    while (true) {
      // the common run: printable ASCII but the quote and the backslash (past the array's end: refused by the caller)
      int at = pos;
      while (PLAIN[bytes[at] & 0xFF]) {
        at++;
      }
      pos = at;
      byte b = peek();
      if (b == '"') {
        pos++;
        if (pos - start > maxLength) {
          throw REFUSED;
        }
        return;
      }
      if (b == '\\') {
        escape(null);
      } else if (b >= 0) {
        throw REFUSED; // a control character must be escaped
      } else {
        utf8();
      }
    }
  }

  /** Bytes a string may hold as they are: printable ASCII but the quote and the backslash. */
  private static final boolean[] PLAIN = new boolean[256];

  static {
    for (int b = 0x20; b < 0x80; b++) {
      PLAIN[b] = b != '"' && b != '\\';
    }
  }

  /** The escape here (at its backslash), appended to {@code out} unless null. */
  private void escape(StringBuilder out) {
    pos++;
    byte kind = peek();
    pos++;
    char decoded;
    switch (kind) {
      case '"' -> decoded = '"';
      case '\\' -> decoded = '\\';
      case '/' -> decoded = '/';
      case 'b' -> decoded = '\b';
      case 'f' -> decoded = '\f';
      case 'n' -> decoded = '\n';
      case 'r' -> decoded = '\r';
      case 't' -> decoded = '\t';
      case 'u' -> {
        decoded = hex4();
        if (Character.isLowSurrogate(decoded)) {
          throw REFUSED; // a lone surrogate: Jackson refuses one in a name and keeps one in a value; it decides
        }
        if (Character.isHighSurrogate(decoded)) {
          if (end - pos < 2 || in[pos] != '\\' || in[pos + 1] != 'u') {
            throw REFUSED;
          }
          pos += 2;
          char low = hex4();
          if (!Character.isLowSurrogate(low)) {
            throw REFUSED;
          }
          if (out != null) {
            out.append(decoded);
          }
          decoded = low;
        }
      }
      default -> throw REFUSED;
    }
    if (out != null) {
      out.append(decoded);
    }
  }

  private char hex4() {
    int code = 0;
    for (int i = 0; i < 4; i++) {
      int digit = Character.digit(peek(), 16);
      if (digit < 0) {
        throw REFUSED;
      }
      code = code * 16 + digit;
      pos++;
    }
    return (char) code;
  }

  /** The code point of the UTF-8 sequence here (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF). */
  private int utf8() {
    int lead = in[pos] & 0xFF;
    int length;
    int code;
    int min;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
      code = lead & 0x1F;
      min = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      code = lead & 0x0F;
      min = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      code = lead & 0x07;
      min = 0x10000;
    } else {
      throw REFUSED;
    }
    if (end - pos < length) {
      throw REFUSED;
    }
    for (int i = 1; i < length; i++) {
      int next = in[pos + i] & 0xFF;
      if ((next & 0xC0) != 0x80) {
        throw REFUSED;
      }
      code = (code << 6) | (next & 0x3F);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      throw REFUSED;
    }
    pos += length;
    return code;
  }
}
