package io.chainwatch.watcher.scan;

import io.chainwatch.model.CiliumConfigSnapshot;
import io.chainwatch.model.Snapshot;
import io.chainwatch.watcher.view.ClusterState;
import io.chainwatch.watcher.view.ProjectionException;
import io.chainwatch.watcher.view.Projections;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.chainwatch.watcher.informer.PrunedJson;
import io.chainwatch.watcher.informer.PruningSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.DocumentEndEvent;
import org.yaml.snakeyaml.events.DocumentStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.MappingEndEvent;
import org.yaml.snakeyaml.events.MappingStartEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.events.SequenceEndEvent;
import org.yaml.snakeyaml.events.SequenceStartEvent;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Reads what {@code kubectl get ... -o json|yaml} prints (a List, a single object, several JSON values or a
 * multi-document YAML stream) into the cluster view, through the same projections the informers use.
 *
 * <p>JSON is streamed item by item, so a dump of a large cluster is never held in memory whole. Any malformed,
 * truncated or non-UTF-8 input is an error: a scan never silently works on part of a dump.
 */
public final class DumpReader {
  /** The parser only: values are built by {@link PruningSerialization#value}, no data binding at start. */
  private static final tools.jackson.core.json.JsonFactory JSON = new tools.jackson.core.json.JsonFactory();

  private final ClusterState state;
  private int objectsRead;
  private int objectsUsed;
  private final List<String> conflicts = new ArrayList<>();

  public DumpReader(ClusterState state) {
    this.state = state;
  }

  public int objectsRead() {
    return objectsRead;
  }

  public int objectsUsed() {
    return objectsUsed;
  }

  /**
   * Reads one input.
   *
   * @param name how to name the input in errors (the file name, or {@code <stdin>})
   * @param input its bytes
   */
  public void read(String name, InputStream input) throws IOException {
    counted = new CountingInput(input, true);
    readingName = name;
    readStarted = System.nanoTime();
    lastProgress = readStarted;
    InputStream buffered = new java.io.BufferedInputStream(counted, 1 << 16);
    // PowerShell's Out-File -Encoding utf8 writes one
    bytesBeforeContent = skipUtf8ByteOrderMark(buffered) ? 3 : 0;
    byte[] head = peek(buffered, 512);
    if (head.length >= 2 && ((head[0] == (byte) 0xFF && head[1] == (byte) 0xFE)
        || (head[0] == (byte) 0xFE && head[1] == (byte) 0xFF) || (head[0] != 0 && head[1] == 0))) {
      throw new ScanInputException(name + ": the file is UTF-16, not UTF-8 (PowerShell's > redirection writes "
          + "UTF-16): write it as UTF-8, e.g. kubectl get pods,nodes,ciliumendpoints -A -o json | Out-File -Encoding "
          + "utf8 dump.json, or use kubectl's own output file");
    }
    String firstLine = new String(head, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
    if (firstLine.matches("(NAMESPACE|NAME)\\s{2,}\\S.*") || firstLine.startsWith("No resources found")) {
      throw new ScanInputException(name + ": this is kubectl's table output (\"" + Terminal.safe(
          firstLine.length() > 60 ? firstLine.substring(0, 60) + "…" : firstLine) + "\"), which has no objects to "
          + "judge: dump with -o json (or -o yaml), e.g. kubectl get pods,nodes,ciliumendpoints,configmaps,daemonsets "
          + "-A -o json > dump.json");
    }
    int first = firstNonBlank(buffered);
    if (first < 0) {
      throw new ScanInputException(name + ": the input is empty");
    }
    if (first == '{' || first == '[') {
      readOnEveryCore(name, buffered, true);
    } else {
      readOnEveryCore(name, buffered, false);
    }
  }

  private static boolean skipUtf8ByteOrderMark(InputStream in) throws IOException {
    in.mark(3);
    if (in.read() != 0xEF || in.read() != 0xBB || in.read() != 0xBF) {
      in.reset();
      return false;
    }
    return true;
  }

  private static byte[] peek(InputStream in, int max) throws IOException {
    in.mark(max);
    byte[] head = in.readNBytes(max);
    in.reset();
    return head;
  }

  /** Told every few seconds how far a long read got (scan prints it on stderr); nothing by default. */
  public void onProgress(java.util.function.Consumer<String> progress) {
    this.progress = java.util.Objects.requireNonNull(progress, "progress");
  }

  private java.util.function.Consumer<String> progress = line -> { };
  private CountingInput counted;
  /** The byte order mark's length, so that the offsets errors name are the file's own. */
  private int bytesBeforeContent;
  private String readingName = "";
  private long readStarted = System.nanoTime();
  private long lastProgress = System.nanoTime();
  static final long PROGRESS_EVERY_NANOS = 5_000_000_000L;
  /** How often progress is told (tests shorten it). */
  long progressEveryNanos = PROGRESS_EVERY_NANOS;

  /** While the parts of a YAML List are parsed, objects are counted only at the end: say how many parts are done. */
  private void reportPartsProgress(int done, int parts, int threads) {
    long now = System.nanoTime();
    if (now - lastProgress >= progressEveryNanos) {
      lastProgress = now;
      progress.accept("reading " + readingName + ": " + (counted.count >> 20) + " MB read, parsing it on " + threads
          + " threads: " + done + " of " + parts + " parts done (" + (now - readStarted) / 1_000_000_000L + " s)");
    }
  }

  private void maybeReportProgress() {
    long now = System.nanoTime();
    if (now - lastProgress < progressEveryNanos || counted == null) {
      return;
    }
    lastProgress = now;
    progress.accept("reading " + readingName + ": " + (counted.count >> 20) + " MB and " + objectsRead
        + " objects so far (" + (now - readStarted) / 1_000_000_000L + " s)");
  }

  private static int firstNonBlank(InputStream in) throws IOException {
    in.mark(1 << 16);
    int c;
    int count = 0;
    do {
      c = in.read();
      count++;
    } while (c >= 0 && Character.isWhitespace(c) && count < (1 << 16) - 1);
    in.reset();
    return c;
  }

  private static Reader strictUtf8(InputStream in) {
    return new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
  }

  private void readJson(String name, InputStream in) {
    // from bytes: CountingInput checks that they are UTF-8 as they are read; Jackson's byte parser is faster than
    // parsing the chars of a decoding Reader
    try (JsonParser parser = JSON.createParser(in)) {
      readJsonValues(name, parser);
      refuseIfNotUtf8(name);
    } catch (JacksonException e) {
      refuseIfNotUtf8(name); // bytes that are not UTF-8 explain a parse error after them
      // limits (nesting depth, number length) come without a location
      String at = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr();
      if (e instanceof tools.jackson.core.exc.StreamConstraintsException) {
        throw new ScanInputException(name + ": refused" + at + ": " + e.getOriginalMessage());
      }
      throw new ScanInputException(name + ": malformed or truncated JSON" + at + ": " + e.getOriginalMessage());
    } catch (java.io.UncheckedIOException e) {
      throw new ScanInputException(name + ": " + describeIo(e.getCause()));
    } catch (ScanInputException e) {
      refuseIfNotUtf8(name);
      throw e;
    }
  }

  private void readJsonValues(String name, JsonParser parser) {
    int document = 0;
    JsonToken token;
    while ((token = parser.nextToken()) != null) {
      document++;
      String where = name + (document > 1 ? " (JSON value " + document + ")" : "");
      if (token == JsonToken.START_ARRAY) {
        int index = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          accept(where + " [" + index++ + "]", readKeptFields(parser, where));
        }
      } else if (token == JsonToken.START_OBJECT) {
        readTopLevelObject(where, parser);
      } else {
        throw new ScanInputException(where + ": expected a JSON object or array, got " + token);
      }
    }
  }

  /** A scan never works on part of a dump: one byte that is not UTF-8, anywhere, refuses the input. */
  private void refuseIfNotUtf8(String name) {
    if (counted != null && counted.invalidAt >= 0) {
      throw new ScanInputException(name + ": not valid UTF-8 text (at byte " + counted.invalidAt + ")");
    }
  }

  /** Reads one object; a List's items are handled one by one as they stream past. */
  private void readTopLevelObject(String where, JsonParser parser) {
    Map<String, Object> fields = new LinkedHashMap<>();
    int items = -1;
    while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      if ("items".equals(field) && value == JsonToken.START_ARRAY) {
        items = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          acceptItem(where, items++, readKeptFields(parser, where));
        }
      } else {
        fields.put(field, PruningSerialization.value(parser));
      }
    }
    endObject(where, fields, items >= 0);
  }

  /**
   * The end of a top-level object, JSON or YAML: a List whose items were accepted as they streamed past must say it is
   * a List (kubectl writes {@code kind} after {@code items}, so a cut file lacks it); any other object is accepted.
   */
  private void endObject(String where, Map<String, Object> fields, boolean hadItems) {
    if (hadItems) {
      Object kind = fields.get("kind");
      if (!(kind instanceof String k) || !k.endsWith("List")) {
        throw new ScanInputException(where + ": has items but its kind is " + kind
            + ", not a List: is the file truncated?");
      }
    } else {
      accept(where, fields);
    }
  }

  /**
   * Reads one item, keeping only what projections read (as {@code run}'s informers do): a pod's managed fields,
   * containers' details and statuses are skipped, not built.
   */
  private static Map<String, Object> readKeptFields(JsonParser parser, String where) {
    if (parser.currentToken() != JsonToken.START_OBJECT) {
      throw new ScanInputException(where + ": expected an object in items, got " + parser.currentToken());
    }
    return PruningSerialization.keptFields(parser);
  }

  /** Threads that parse the parts of a List (tests set it to know which path a read takes). */
  int threads = Runtime.getRuntime().availableProcessors();
  /** The largest input read whole (a quarter of the heap); a larger one is streamed in one pass. */
  int wholeLimit = (int) Math.min(Integer.MAX_VALUE - 16, Runtime.getRuntime().maxMemory() / 4);
  /** Items read from parts of Lists on several threads (tests check that the path was taken). */
  int itemsReadInParts;

  /** Below this size an input is read in one pass: threads would not pay for themselves. */
  static final int PARALLEL_MIN_BYTES = 1 << 20;

  /**
   * Reads JSON or YAML; a List of kubectl's plain shape ({@link JsonListSplit}, {@link YamlListSplit}) that fits in a
   * quarter of the heap is read whole and its items parsed on every core, then accepted in their order. Anything the
   * parts refuse (malformed input, an alias to another part's anchor, a split inside a quoted YAML value) sends the
   * whole input through the one-pass reader, which names the problem with the file's own positions; nothing is
   * accepted before every part has been read.
   */
  private void readOnEveryCore(String name, InputStream in, boolean json) throws IOException {
    // JSON held whole is checked to be UTF-8 by the parts on every core, not here on one; a one-pass read checks it
    // from the start (readOnePass)
    counted.validate = false;
    if (threads < 2) {
      readOnePass(name, in, json); // one core: nothing to gain from holding the input
      return;
    }
    int limit = wholeLimit;
    Bytes whole = readUpTo(in, limit + 1);
    byte[] bytes = whole.bytes();
    int length = whole.length();
    if (length > limit) {
      readOnePass(name, new PrefixedInput(bytes, length, in), json); // too large to hold: streamed in one pass
      return;
    }
    boolean readInParts;
    if (json) {
      ListSplit split = length < PARALLEL_MIN_BYTES ? null : JsonListSplit.of(bytes, length);
      readInParts = split != null && readItemsInParallel(name, name, split, true,
          (from, to) -> readJsonItems(name, bytes, split, from, to));
    } else {
      ListSplit split = length < PARALLEL_MIN_BYTES ? null : YamlListSplit.of(bytes, length);
      String where = name + " (YAML document 1)";
      readInParts = split != null && readItemsInParallel(name, where, split, false,
          (from, to) -> readYamlItems(where, bytes, split, from, to));
    }
    if (!readInParts) {
      readOnePass(name, new java.io.ByteArrayInputStream(bytes, 0, length), json);
    }
  }

  private void readOnePass(String name, InputStream in, boolean json) throws IOException {
    if (json) {
      counted = new CountingInput(in, true, bytesBeforeContent);
      readJson(name, counted);
    } else {
      readYaml(name, in);
    }
  }

  /**
   * The bytes already read, then the rest of the stream; the array is let go once read past, so that a large input
   * streamed under a small heap does not keep its first quarter-heap alive ({@code SequenceInputStream} would).
   */
  private static final class PrefixedInput extends InputStream {
    private byte[] prefix;
    private final int length;
    private int position;
    private final InputStream rest;

    PrefixedInput(byte[] prefix, int length, InputStream rest) {
      this.prefix = length == 0 ? null : prefix;
      this.length = length;
      this.rest = rest;
    }

    @Override
    public int read() throws IOException {
      if (prefix == null) {
        return rest.read();
      }
      int b = prefix[position++] & 0xFF;
      if (position == length) {
        prefix = null;
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int count) throws IOException {
      if (prefix != null) {
        int n = Math.min(count, length - position);
        System.arraycopy(prefix, position, buffer, offset, n);
        position += n;
        if (position == length) {
          prefix = null;
        }
        if (n > 0 || count == 0) {
          return n;
        }
      }
      return rest.read(buffer, offset, count);
    }
  }

  /** The first {@code length} bytes of {@code bytes} hold the input. */
  private record Bytes(byte[] bytes, int length) {}

  /**
   * Up to {@code max} bytes of {@code in} in one array sized by what the stream says it has (a file knows its size),
   * so a large input is not read in small pieces and copied (64 MB twice, and two collections, under a small heap).
   */
  private static Bytes readUpTo(InputStream in, int max) throws IOException {
    byte[] bytes = new byte[(int) Math.min(max, Math.max(1 << 16, (long) in.available() + 1))];
    int length = 0;
    int read;
    while (true) {
      if (length == bytes.length) {
        if (length == max) {
          break;
        }
        bytes = java.util.Arrays.copyOf(bytes, (int) Math.min(max, 2L * length));
      }
      // at most 1 MB a call: the JDK reads a file through a native buffer as large as the request
      if ((read = in.read(bytes, length, Math.min(1 << 20, bytes.length - length))) < 0) {
        break;
      }
      length += read;
    }
    return new Bytes(bytes, length);
  }

  /** Parses and projects items {@code [from, to)} of a split List: {@code null} for what chainwatch does not read. */
  @FunctionalInterface
  private interface PartReader {
    Snapshot[] read(int from, int to);
  }

  private boolean readItemsInParallel(String name, String where, ListSplit split, boolean json,
      PartReader partReader) throws IOException {
    if (json && !isUtf8(split.header(), 0, split.header().length)) {
      return false;
    }
    CountingInput whole = counted; // reading the header counts its own bytes; progress counts the input's
    try {
      // the top level first (kind, metadata, with no items): it checks the List and accepts nothing
      readOnePass(name, new java.io.ByteArrayInputStream(split.header()), json);
    } catch (ScanInputException e) {
      return false;
    } finally {
      counted = whole;
    }
    long partBytes = Math.max(256 * 1024, (split.end(split.items() - 1) - split.start(0)) / (threads * 4L));
    List<int[]> parts = new ArrayList<>();
    int first = 0;
    for (int item = 0; item < split.items(); item++) {
      if (item + 1 == split.items() || split.end(item) - split.start(first) >= partBytes) {
        parts.add(new int[] {first, item + 1});
        first = item + 1;
      }
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads, task -> {
      Thread thread = new Thread(task, "scan-parts");
      thread.setDaemon(true);
      return thread;
    });
    // items are projected in their part (snapshots are small; the parsed maps are not) and kept in order once every
    // part has been read, so that nothing is in the view when a part sends the input to the one-pass reader
    List<java.util.concurrent.Future<Snapshot[]>> futures = new ArrayList<>();
    List<Snapshot[]> read = new ArrayList<>();
    try {
      for (int[] part : parts) {
        futures.add(pool.submit(() -> partReader.read(part[0], part[1])));
      }
      for (var future : futures) {
        while (true) {
          try {
            read.add(future.get(Math.max(1_000_000L, Math.min(1_000_000_000L, progressEveryNanos)),
                java.util.concurrent.TimeUnit.NANOSECONDS));
            break;
          } catch (java.util.concurrent.TimeoutException stillParsing) {
            reportPartsProgress(read.size(), parts.size(), threads);
          }
        }
      }
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while reading " + name);
    } finally {
      pool.shutdownNow();
    }
    int index = 0;
    for (Snapshot[] snapshots : read) {
      for (Snapshot snapshot : snapshots) {
        countRead();
        if (snapshot != null) {
          keep(where + " item " + index, snapshot);
        }
        index++;
      }
    }
    itemsReadInParts += index;
    return true;
  }

  /** Items {@code [from, to)} of a split JSON List, each span parsed as exactly one object, and projected. */
  private Snapshot[] readJsonItems(String where, byte[] bytes, ListSplit split, int from, int to) {
    if (!isUtf8(bytes, split.start(from), split.end(to - 1))) {
      throw new ScanInputException(where + ": not valid UTF-8 text"); // the one-pass reader says where
    }
    Snapshot[] snapshots = new Snapshot[to - from];
    for (int item = from; item < to; item++) {
      // the informers' byte reader first; what it refuses, Jackson reads, and names any problem as the one pass does
      Map<String, Object> kept = PrunedJson.object(bytes, split.start(item), split.end(item),
          PruningSerialization.keepRules());
      if (kept != null) {
        snapshots[item - from] = project(where + " item " + item, kept);
        continue;
      }
      try (JsonParser parser = JSON.createParser(bytes, split.start(item), split.end(item) - split.start(item))) {
        parser.nextToken();
        Map<String, Object> fields = readKeptFields(parser, where);
        if (parser.nextToken() != null) {
          throw new ScanInputException(where + ": item " + item + " is followed by more than white space");
        }
        snapshots[item - from] = project(where + " item " + item, fields);
      }
    }
    return snapshots;
  }

  /**
   * Items {@code [from, to)} of a split List, parsed as one block sequence with the rules the one-pass reader uses, and
   * projected ({@code null} for what chainwatch does not read).
   */
  private Snapshot[] readYamlItems(String where, byte[] bytes, ListSplit split, int from, int to) {
    int start = split.start(from);
    int end = split.end(to - 1);
    List<Object> items = plainYamlItems(bytes, start, end);
    if (items != null) {
      plainYamlParts.incrementAndGet();
    } else {
      items = snakeYamlItems(bytes, start, end, PruningSerialization.keepRules(), where);
    }
    if (items.size() != to - from) {
      throw new ScanInputException(where + ": the part holds " + items.size() + " items, not " + (to - from));
    }
    Snapshot[] snapshots = new Snapshot[to - from];
    for (int index = from; index < to; index++) {
      if (!(items.get(index - from) instanceof Map<?, ?> map)) {
        throw new ScanInputException(where + " item " + index + ": expected a mapping");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> item = (Map<String, Object>) map;
      snapshots[index - from] = project(where + " item " + index, item);
    }
    return snapshots;
  }

  /**
   * The items of the block sequence in {@code bytes[start, end)} as SnakeYAML reads them, each kept by {@code keep}
   * with the rules the one-pass reader uses; any YAML error is thrown.
   */
  static List<Object> snakeYamlItems(byte[] bytes, int start, int end, Object keep, String where) {
    CountingInput input = new CountingInput(new java.io.ByteArrayInputStream(bytes, start, end - start));
    YamlEvents events = new YamlEvents(yaml().parse(strictUtf8(input)).iterator(), input, where);
    if (!(events.next() instanceof org.yaml.snakeyaml.events.StreamStartEvent)
        || !(events.next() instanceof DocumentStartEvent)
        || !(events.next() instanceof SequenceStartEvent sequence) || sequence.getAnchor() != null) {
      throw new ScanInputException(where + ": not a block sequence");
    }
    List<Object> items = new ArrayList<>();
    Event item;
    while (!((item = events.next()) instanceof SequenceEndEvent)) {
      items.add(events.kept(item, keep, where));
    }
    if (!(events.next() instanceof DocumentEndEvent) || !(events.next() instanceof
        org.yaml.snakeyaml.events.StreamEndEvent) || events.hasNext()) {
      throw new ScanInputException(where + ": more than one block sequence");
    }
    return items;
  }

  /** Parts of YAML Lists read by {@link PlainYaml} rather than SnakeYAML (tests check which reader read them). */
  final java.util.concurrent.atomic.AtomicInteger plainYamlParts = new java.util.concurrent.atomic.AtomicInteger();

  /** Items {@code [start, end)} read by {@link PlainYaml}, or {@code null} when it refuses them (SnakeYAML reads them). */
  private static List<Object> plainYamlItems(byte[] bytes, int start, int end) {
    try {
      return PlainYaml.items(bytes, start, end, PruningSerialization.keepRules());
    } catch (PlainYaml.Refused refused) {
      return null;
    }
  }

  /** snakeyaml without its 3 MB input limit (dumps are far larger); alias expansion is bounded by {@link YamlEvents}. */
  private static Yaml yaml() {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(Integer.MAX_VALUE);
    return new Yaml(new SafeConstructor(options));
  }

  /**
   * Reads YAML as a stream of parser events: a List's items are built and accepted one at a time, so a dump of a large
   * cluster is never held whole (kubectl writes {@code items} before {@code kind}: the kind is checked when the List
   * ends, and a List cut off before it is an error). Aliases are expanded as a reader of the objects would meet them,
   * and that expansion is bounded by the input's size, not by the number of aliases.
   */
  private void readYaml(String name, InputStream in) throws IOException {
    CountingInput counted = new CountingInput(in);
    Yaml yaml = yaml();
    YamlEvents events;
    try {
      events = new YamlEvents(yaml.parse(strictUtf8(counted)).iterator(), counted, name);
      int document = 0;
      while (events.hasNext()) {
        Event event = events.next();
        if (!(event instanceof DocumentStartEvent)) {
          continue; // stream start and end
        }
        document++;
        String where = name + " (YAML document " + document + ")";
        events.anchors.clear();
        Event first = events.next();
        if (first instanceof DocumentEndEvent) {
          continue; // an empty document between two '---'
        }
        if (first instanceof ScalarEvent scalar) {
          Object value = events.scalar(scalar);
          if (value == null) {
            events.next(); // an explicitly empty document
            continue;
          }
          throw new ScanInputException(where + ": expected a mapping, got " + value.getClass().getSimpleName());
        }
        if (!(first instanceof MappingStartEvent)) {
          throw new ScanInputException(where + ": expected a mapping, got " + describeEvent(first));
        }
        readYamlDocument(where, events, (MappingStartEvent) first);
        events.next(); // the document's end
      }
    } catch (YAMLException e) {
      for (Throwable cause = e; cause != null; cause = cause.getCause()) {
        if (cause instanceof java.nio.charset.CharacterCodingException) {
          throw new ScanInputException(name + ": not valid UTF-8 text");
        }
      }
      throw new ScanInputException(name + ": malformed YAML: " + e.getMessage().replace('\n', ' '));
    }
  }

  private void readYamlDocument(String where, YamlEvents events, MappingStartEvent start) {
    if (start.getAnchor() != null) {
      throw new ScanInputException(where + ": an anchor on a whole document is not something kubectl writes");
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    int items = -1;
    Event next;
    while (!((next = events.next()) instanceof MappingEndEvent)) {
      Object key = events.value(next, where);
      if (!(key instanceof String field)) {
        throw new ScanInputException(where + ": a key that is not a string: " + key);
      }
      if (fields.containsKey(field) || ("items".equals(field) && items >= 0)) {
        throw new ScanInputException(where + ": the key " + field + " appears twice");
      }
      Event value = events.next();
      if ("items".equals(field) && value instanceof SequenceStartEvent sequence && sequence.getAnchor() == null) {
        items = 0;
        Event item;
        while (!((item = events.next()) instanceof SequenceEndEvent)) {
          Object object = events.kept(item, PruningSerialization.keepRules(), where);
          if (!(object instanceof Map<?, ?> map)) {
            throw new ScanInputException(where + " item " + items + ": expected a mapping");
          }
          @SuppressWarnings("unchecked")
          Map<String, Object> typed = (Map<String, Object>) map;
          acceptItem(where, items++, typed);
        }
      } else {
        fields.put(field, events.value(value, where));
      }
    }
    endObject(where, fields, items >= 0);
  }

  private static String describeEvent(Event event) {
    return event instanceof SequenceStartEvent ? "ArrayList" : event.getEventId().toString();
  }

  /**
   * Counts the bytes read, for bounds that follow the input's size and for progress lines, and, when asked, checks
   * that they are UTF-8 as they pass (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF, no sequence
   * cut at the end), so that JSON can be parsed from bytes (faster than through a decoding Reader) and still be
   * refused whole when any byte is not UTF-8, skipped fields included. The first bad byte's offset is kept, not
   * thrown: the input's first bytes are read before it is known to be JSON (a UTF-16 file has its own message).
   */
  private static final class CountingInput extends java.io.FilterInputStream {
    long count;
    private boolean validate;
    /** The offset of the first byte that is not UTF-8, -1 while all are. */
    long invalidAt = -1;
    /** Continuation bytes the current sequence still needs, and the bounds of the next one. */
    private int needed;
    private int lower = 0x80;
    private int upper = 0xBF;
    private long sequenceStart;

    CountingInput(InputStream in) {
      this(in, false);
    }

    CountingInput(InputStream in, boolean validate) {
      this(in, validate, 0);
    }

    /** {@code before}: bytes of the input before {@code in}'s first, so that offsets are the input's own. */
    CountingInput(InputStream in, boolean validate, long before) {
      super(in);
      this.validate = validate;
      this.count = before;
    }


    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        if (validate) {
          check(new byte[] {(byte) b}, 0, 1);
        }
        count++;
      } else if (validate && needed > 0) {
        invalid(sequenceStart); // a sequence cut by the end of the input
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n > 0) {
        if (validate) {
          check(buffer, offset, n);
        }
        count += n;
      } else if (n < 0 && validate && needed > 0) {
        invalid(sequenceStart);
      }
      return n;
    }

    private void invalid(long at) {
      invalidAt = at;
      validate = false;
    }

    private void check(byte[] bytes, int offset, int length) {
      int end = offset + length;
      int i = offset;
      while (i < end && validate) {
        if (needed == 0) {
          while (i < end && bytes[i] >= 0) {
            i++; // ASCII, nearly all of a Kubernetes dump
          }
          if (i == end) {
            return;
          }
          sequenceStart = count + i - offset;
          int lead = bytes[i++] & 0xFF;
          if (lead >= 0xC2 && lead <= 0xDF) {
            needed = 1;
          } else if (lead >= 0xE0 && lead <= 0xEF) {
            needed = 2;
            lower = lead == 0xE0 ? 0xA0 : 0x80; // E0: no overlong forms
            upper = lead == 0xED ? 0x9F : 0xBF; // ED: no surrogates
          } else if (lead >= 0xF0 && lead <= 0xF4) {
            needed = 3;
            lower = lead == 0xF0 ? 0x90 : 0x80;
            upper = lead == 0xF4 ? 0x8F : 0xBF; // nothing above U+10FFFF
          } else {
            invalid(count + i - 1 - offset);
          }
        } else {
          int next = bytes[i++] & 0xFF;
          if (next < lower || next > upper) {
            invalid(count + i - 1 - offset);
          }
          lower = 0x80;
          upper = 0xBF;
          needed--;
        }
      }
    }
  }

  /**
   * Builds values from parser events as SnakeYAML's safe constructor would (scalars resolved to strings, integers,
   * floats, booleans and null; duplicate keys refused), counting nodes with aliases expanded.
   */
  private static final class YamlEvents {
    private final java.util.Iterator<Event> events;
    private final CountingInput input;
    private final String name;
    final Map<String, Object> anchors = new java.util.HashMap<>();
    private long nodes;

    YamlEvents(java.util.Iterator<Event> events, CountingInput input, String name) {
      this.events = events;
      this.input = input;
      this.name = name;
    }

    boolean hasNext() {
      return events.hasNext();
    }

    Event next() {
      if (!events.hasNext()) {
        throw new ScanInputException(name + ": the YAML ends in the middle of a document: is the file truncated?");
      }
      return events.next();
    }

    /** Counts {@code added} nodes against the budget: 64 per input byte read so far, plus 100,000. */
    private void count(long added, String where) {
      nodes += added;
      long budget = 64L * input.count + 100_000;
      if (nodes > budget) {
        throw new ScanInputException(where + ": its aliases expand to more than " + budget + " nodes (64 per input "
            + "byte): refused as a YAML bomb");
      }
    }

    Object value(Event event, String where) {
      Object built;
      String anchor = null;
      if (event instanceof org.yaml.snakeyaml.events.AliasEvent alias) {
        Object target = anchors.get(alias.getAnchor());
        if (target == null && !anchors.containsKey(alias.getAnchor())) {
          throw new ScanInputException(where + ": alias *" + alias.getAnchor() + " names no anchor");
        }
        count(expandedSize(target, 64L * input.count + 100_001), where);
        return target;
      } else if (event instanceof ScalarEvent scalar) {
        anchor = scalar.getAnchor();
        built = scalar(scalar);
        count(1, where);
      } else if (event instanceof SequenceStartEvent sequence) {
        anchor = sequence.getAnchor();
        List<Object> list = new ArrayList<>();
        Event next;
        while (!((next = next()) instanceof SequenceEndEvent)) {
          list.add(value(next, where));
        }
        built = list;
        count(1, where);
      } else if (event instanceof MappingStartEvent mapping) {
        anchor = mapping.getAnchor();
        Map<Object, Object> map = new LinkedHashMap<>();
        Event next;
        while (!((next = next()) instanceof MappingEndEvent)) {
          Object key = value(next, where);
          if (map.containsKey(key)) {
            throw new ScanInputException(where + ": the key " + key + " appears twice in one mapping");
          }
          map.put(key, value(next(), where));
        }
        built = map;
        count(1, where);
      } else {
        throw new ScanInputException(where + ": unexpected " + event.getEventId());
      }
      if (anchor != null) {
        anchors.put(anchor, built);
      }
      return built;
    }

    /**
     * What projections read of the node starting with {@code event}, by the same rules as the JSON path
     * ({@link PruningSerialization#keepRules}): skipped subtrees are consumed without building or resolving their
     * scalars. Anchored nodes are built whole (an alias elsewhere may name them), as are shapes the rules do not
     * expect (the projection judges them).
     */
    Object kept(Event event, Object keep, String where) {
      if (Boolean.TRUE.equals(keep) || event instanceof org.yaml.snakeyaml.events.AliasEvent
          || (event instanceof org.yaml.snakeyaml.events.NodeEvent node && node.getAnchor() != null)) {
        return value(event, where);
      }
      if (event instanceof SequenceStartEvent) {
        List<Object> list = new ArrayList<>();
        Event next;
        while (!((next = next()) instanceof SequenceEndEvent)) {
          list.add(kept(next, keep, where));
        }
        count(1, where);
        return list;
      }
      if (!(event instanceof MappingStartEvent)) {
        return value(event, where);
      }
      Map<Object, Object> map = new LinkedHashMap<>();
      java.util.Set<Object> seen = new java.util.HashSet<>();
      Event next;
      while (!((next = next()) instanceof MappingEndEvent)) {
        Object key = value(next, where);
        if (!seen.add(key)) {
          throw new ScanInputException(where + ": the key " + key + " appears twice in one mapping");
        }
        Object rule = key instanceof String field ? PruningSerialization.ruleFor(keep, field) : null;
        if (rule == null) {
          skip(next(), where);
        } else {
          map.put(key, kept(next(), rule, where));
        }
      }
      count(1, where);
      return map;
    }

    /** Consumes the node starting with {@code event}; anchored nodes inside are still built and remembered. */
    private void skip(Event event, String where) {
      if (event instanceof org.yaml.snakeyaml.events.NodeEvent node && !(event instanceof
          org.yaml.snakeyaml.events.AliasEvent) && node.getAnchor() != null) {
        value(event, where);
        return;
      }
      if (event instanceof SequenceStartEvent) {
        Event next;
        while (!((next = next()) instanceof SequenceEndEvent)) {
          skip(next, where);
        }
      } else if (event instanceof MappingStartEvent) {
        Event next;
        while (!((next = next()) instanceof MappingEndEvent)) {
          skip(next, where); // key
          skip(next(), where); // value
        }
      }
    }

    Object scalar(ScalarEvent scalar) {
      String value = scalar.getValue();
      String tag = scalar.getTag();
      if (tag != null && !"!".equals(tag)) {
        return resolved(value, new org.yaml.snakeyaml.nodes.Tag(tag));
      }
      return scalar.getImplicit().canOmitTagInPlainScalar() ? resolvePlain(value) : value;
    }
  }

  private static final org.yaml.snakeyaml.resolver.Resolver RESOLVER = new org.yaml.snakeyaml.resolver.Resolver();

  /** A plain scalar's value as SnakeYAML's safe constructor builds it (the YAML 1.1 types: null, bool, int, float). */
  static Object resolvePlain(String value) {
    return resolved(value, RESOLVER.resolve(org.yaml.snakeyaml.nodes.NodeId.scalar, value, true));
  }

  private static Object resolved(String value, org.yaml.snakeyaml.nodes.Tag resolved) {
    if (resolved.equals(org.yaml.snakeyaml.nodes.Tag.NULL)) {
      return null;
    }
    if (resolved.equals(org.yaml.snakeyaml.nodes.Tag.BOOL)) {
      String lower = value.toLowerCase(java.util.Locale.ROOT);
      return lower.equals("true") || lower.equals("yes") || lower.equals("on") || lower.equals("y");
    }
    if (resolved.equals(org.yaml.snakeyaml.nodes.Tag.INT)) {
      try {
        String digits = value.replace("_", "");
        if (digits.startsWith("0x") || digits.startsWith("-0x") || digits.startsWith("+0x")) {
          return new java.math.BigInteger(digits.replaceFirst("0x", ""), 16).longValue();
        }
        java.math.BigInteger number = new java.math.BigInteger(digits.startsWith("+") ? digits.substring(1)
            : digits);
        return number.bitLength() < 32 ? (Object) number.intValue() : number.bitLength() < 64
            ? (Object) number.longValue() : number;
      } catch (NumberFormatException e) {
        return value;
      }
    }
    if (resolved.equals(org.yaml.snakeyaml.nodes.Tag.FLOAT)) {
      try {
        return Double.valueOf(value.replace("_", ""));
      } catch (NumberFormatException e) {
        return value;
      }
    }
    return value;
  }

  /**
   * Whether {@code bytes[from, to)} is UTF-8 by RFC 3629 (no overlong forms, no surrogates, nothing above U+10FFFF, no
   * sequence cut at {@code to}), checked as {@link CountingInput} checks a stream.
   */
  static boolean isUtf8(byte[] bytes, int from, int to) {
    CountingInput check = new CountingInput(InputStream.nullInputStream(), true);
    check.check(bytes, from, to - from);
    return check.invalidAt < 0 && check.needed == 0;
  }

  /** Nodes of {@code value} counted as a reader walking it would meet them (shared ones again), up to {@code cap}. */
  private static long expandedSize(Object value, long cap) {
    long count = 0;
    java.util.ArrayDeque<Object> pending = new java.util.ArrayDeque<>();
    pending.push(value);
    while (!pending.isEmpty() && count <= cap) {
      Object next = pending.pop();
      count++;
      if (next instanceof Map<?, ?> map) {
        for (Map.Entry<?, ?> entry : map.entrySet()) {
          pending.push(entry.getKey());
          if (entry.getValue() != null) {
            pending.push(entry.getValue());
          }
        }
      } else if (next instanceof List<?> list) {
        for (Object item : list) {
          if (item != null) {
            pending.push(item);
          }
        }
      }
    }
    return count;
  }

  /** Whether a ConfigMap, as read, is the cilium-config chainwatch looks for (one without a name cannot be). */
  private boolean isCiliumConfig(Map<String, Object> object) {
    Object metadata = object.get("metadata");
    Object namespace = metadata instanceof Map<?, ?> map ? map.get("namespace") : null;
    Object configName = metadata instanceof Map<?, ?> map ? map.get("name") : null;
    return configName instanceof String name && (namespace == null || namespace instanceof String)
        && state.agentIdentity().isCiliumConfig((String) namespace, name);
  }

  private void acceptItem(String where, int index, Map<String, Object> item) {
    accept(where + " item " + index, item);
  }

  private void accept(String where, Map<String, Object> object) {
    countRead();
    Snapshot snapshot = project(where, object);
    if (snapshot != null) {
      keep(where, snapshot);
    }
  }

  private void countRead() {
    objectsRead++;
    if ((objectsRead & 1023) == 0) {
      maybeReportProgress();
    }
  }

  /**
   * What one object becomes in the view: its snapshot, or {@code null} for what chainwatch does not read. Touches no
   * state (the parts of a YAML List are projected on several threads).
   */
  private Snapshot project(String where, Map<String, Object> object) {
    Object apiVersion = object.get("apiVersion");
    Object kind = object.get("kind");
    if (!(kind instanceof String) || !(apiVersion instanceof String)) {
      throw new ScanInputException(where + ": not a Kubernetes object (apiVersion and kind must be strings, got "
          + apiVersion + " and " + kind + ")");
    }
    Class<? extends Snapshot> type = Projections.snapshotTypeOf((String) apiVersion, (String) kind);
    if (type == null) {
      return null; // kinds chainwatch does not read are skipped silently
    }
    if (type == CiliumConfigSnapshot.class && !isCiliumConfig(object)) {
      return null; // only cilium-config matters among ConfigMaps: the others are skipped before their shape is checked
    }
    GenericKubernetesResource resource;
    try {
      resource = PruningSerialization.resourceOf(new LinkedHashMap<>(object), FabricConversion::get);
    } catch (RuntimeException e) {
      throw new ScanInputException(where + ": " + kind + " " + nameOf(object) + " does not fit the Kubernetes "
          + "object schema: " + e.getMessage());
    }
    try {
      return Projections.project(resource);
    } catch (ProjectionException e) {
      throw new ScanInputException(where + ": " + e.getMessage());
    }
  }

  private void keep(String where, Snapshot snapshot) {
    var previous = state.put(ClusterState.keyOf(snapshot), "", snapshot);
    if (previous != null && !previous.snapshot().equals(snapshot)) {
      conflicts.add(where + ": " + snapshot.ref().key() + " was read before with other content; the later one is "
          + "used (dumps taken at different times?)");
    }
    objectsUsed++;
  }

  /** fabric8's conversion, built only when an object's metadata has an odd shape (it builds a whole object mapper). */
  private static final class FabricConversion {
    static final PruningSerialization SERIALIZATION = new PruningSerialization();

    static io.fabric8.kubernetes.client.utils.KubernetesSerialization get() {
      return SERIALIZATION;
    }
  }

  /** Objects read twice with different content: which one counts is a guess the person should know about. */
  public List<String> conflicts() {
    return List.copyOf(conflicts);
  }

  private static String nameOf(Map<String, Object> object) {
    if (object.get("metadata") instanceof Map<?, ?> meta) {
      Object ns = meta.get("namespace");
      return (ns == null ? "" : ns + "/") + meta.get("name");
    }
    return "(no metadata)";
  }

  private static String describeIo(Throwable e) {
    if (e instanceof java.nio.charset.CharacterCodingException) {
      return "not valid UTF-8 text";
    }
    return String.valueOf(e);
  }
}

