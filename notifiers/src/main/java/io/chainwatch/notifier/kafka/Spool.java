package io.chainwatch.notifier.kafka;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records waiting for the broker's acknowledgement, on disk: append-only segment files of JSON lines and a watermark
 * (every sequence number up to it is acknowledged). A record is appended before it is sent and counts as delivered
 * only once acknowledged, so a broker outage of any length or a restart of chainwatch loses nothing: after
 * {@link #open}, {@link #take} hands out what is still unacknowledged, in order. Segments whose records are all
 * acknowledged are deleted. Bounded on disk: beyond {@code maxBytes} records are refused and counted. Bounded in
 * memory independently of the disk: at most {@code memoryWindow} bytes of records are held (handed out and not yet
 * acknowledged); the rest stays on disk and is read back in order as acknowledgements free the window. Writes go to
 * the page cache (they survive a crash of chainwatch); the files are forced to disk about once a second. Thread-safe.
 */
public final class Spool implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
  private static final long SEGMENT_BYTES = 4L * 1024 * 1024;
  private static final String WATERMARK = "acked";
  /** The records held in memory at most, by default: about 10,000 audit records. */
  public static final long DEFAULT_MEMORY_WINDOW = 16L * 1024 * 1024;
  /** A longer line is no record of chainwatch's (Kafka refuses far smaller ones): refused on append, skipped on read. */
  static final int MAX_LINE_BYTES = 16 * 1024 * 1024;
  private static final int READ_CHUNK = 64 * 1024;

  /**
   * One spooled record.
   *
   * @param seq its place in the spool, increasing
   * @param topic the Kafka topic
   * @param key the Kafka key
   * @param value the Kafka value, {@code null} for a tombstone (a compacted topic's key deleted)
   * @param headers Kafka headers besides the content type (the record's fleet facts), in order; empty for none
   */
  public record Entry(long seq, String topic, String key, String value, Map<String, String> headers) {
    public Entry {
      headers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(headers));
    }

    public Entry(long seq, String topic, String key, String value) {
      this(seq, topic, key, value, Map.of());
    }

    /** About the heap it takes (compact strings of JSON text, object headers). */
    long weight() {
      long weight = 96L + topic.length() + (key == null ? 0 : key.length()) + (value == null ? 0 : value.length());
      for (Map.Entry<String, String> header : headers.entrySet()) {
        weight += 48L + header.getKey().length() + header.getValue().length();
      }
      return weight;
    }
  }

  private record Segment(long firstSeq, Path path) {}

  private final Path dir;
  private final long maxBytes;
  private final long memoryWindow;
  private final Deque<Segment> segments = new ArrayDeque<>();
  private FileChannel current;
  /** The current segment ends in a partial line (a cut or a failed write): the next append ends it first. */
  private boolean lineOpen;
  private long currentBytes;
  private long bytes;
  private long nextSeq = 1;
  private long watermark;
  private long persistedWatermark = -1;
  /** Checkpoints never overlap; appends and acknowledgements do not wait for one (see {@link #checkpoint}). */
  private final Object checkpointing = new Object();
  private long dropped;

  // What is held in memory: records handed out (or appended while the window had room) and not acknowledged, by
  // sequence number with their weight. Everything after {@code loadedUpTo} that is not held waits on disk.
  private final TreeMap<Long, Long> held = new TreeMap<>();
  /** Appended while the window had room: handed to the sender without its waiting on the lock a disk write holds. */
  private final java.util.concurrent.ConcurrentLinkedQueue<Entry> appendedInMemory =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private long heldWeight;
  private long loadedUpTo;
  /** Records on disk after {@code loadedUpTo} that are not in memory; read back by {@link #take}. */
  private volatile long onDiskOnly;
  private Path cursorSegment;
  private long cursorOffset;

  public Spool(Path dir, long maxBytes) {
    this(dir, maxBytes, DEFAULT_MEMORY_WINDOW);
  }

  public Spool(Path dir, long maxBytes, long memoryWindow) {
    this.dir = Objects.requireNonNull(dir, "dir");
    this.maxBytes = maxBytes;
    this.memoryWindow = memoryWindow;
  }

  /**
   * Reads where an earlier run left off. Nothing is loaded into memory here: {@link #take} reads the unacknowledged
   * records back in order.
   *
   * @return how many records are still unacknowledged
   */
  public synchronized long open() throws IOException {
    Files.createDirectories(dir);
    if (!Files.isWritable(dir)) {
      throw new IOException("spool directory " + dir + " is not writable");
    }
    Path marker = dir.resolve(WATERMARK);
    if (Files.exists(marker)) {
      String text = Files.readString(marker).trim();
      try {
        watermark = Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw new IOException("spool watermark " + marker + " must hold a number, got \"" + text + "\"");
      }
    }
    persistedWatermark = watermark;
    loadedUpTo = watermark;
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files = listing.filter(p -> p.getFileName().toString().matches("segment-\\d{20}\\.log")).sorted().toList();
    }
    long[] maxSeq = {watermark};
    for (Path file : files) {
      String name = file.getFileName().toString();
      segments.add(new Segment(Long.parseLong(name.substring(8, 28)), file));
      bytes += Files.size(file);
      readLines(file, 0, (entry, end) -> {
        maxSeq[0] = Math.max(maxSeq[0], entry.seq());
        if (entry.seq() > watermark) {
          onDiskOnly++;
        }
        return true;
      });
    }
    nextSeq = maxSeq[0] + 1;
    if (!segments.isEmpty()) {
      cursorSegment = segments.peekFirst().path();
      cursorOffset = 0;
    }
    deleteAcknowledgedSegments();
    return onDiskOnly;
  }

  /**
   * Reads a record line, or {@code null} for a line that is cut short or damaged. Two forms: a small JSON header, a
   * tab and the value as it is (what {@link #append} writes for a value without line breaks: re-escaping a whole
   * CloudEvent cost more than encoding it), or one JSON object holding the value too (any other value, and spools
   * written by earlier versions). A JSON encoder never leaves a raw tab in a header, so the first tab ends it.
   */
  private static Entry parse(String line) {
    try {
      int tab = line.indexOf('\t');
      JsonObject json = new JsonObject(tab < 0 ? line : line.substring(0, tab));
      Long seq = json.getLong("seq");
      String topic = json.getString("topic");
      String value = tab < 0 ? json.getString("value") : line.substring(tab + 1);
      boolean tombstone = tab < 0 && Boolean.TRUE.equals(json.getBoolean("tombstone"));
      if (seq == null || topic == null || (value == null && !tombstone)) {
        return null;
      }
      Map<String, String> headers = new java.util.LinkedHashMap<>();
      JsonObject written = json.getJsonObject("headers");
      if (written != null) {
        written.forEach(header -> headers.put(header.getKey(), (String) header.getValue()));
      }
      return new Entry(seq, topic, json.getString("key"), value, headers); // lines written before headers have none
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  /** The line for a record: see {@link #parse}. */
  static byte[] line(Entry entry) {
    JsonObject header = new JsonObject().put("seq", entry.seq()).put("topic", entry.topic()).put("key", entry.key());
    if (!entry.headers().isEmpty()) {
      header.put("headers", new JsonObject(new java.util.LinkedHashMap<>(entry.headers())));
    }
    String value = entry.value();
    if (value == null) {
      return (JsonText.encode(header.put("tombstone", true)) + "\n").getBytes(StandardCharsets.UTF_8);
    }
    if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
      return (JsonText.encode(header.put("value", value)) + "\n").getBytes(StandardCharsets.UTF_8);
    }
    return (JsonText.encode(header) + "\t" + value + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /** Receives each record read and the file offset just after its line; answers whether it took it. */
  private interface LineVisitor {
    boolean visit(Entry entry, long endOffset);
  }

  /**
   * Reads the complete lines of {@code file} from {@code offset}, a chunk at a time (memory stays bounded whatever the
   * file holds). A damaged line is skipped with a warning; a line longer than {@link #MAX_LINE_BYTES} is skipped
   * unread; a last line without its newline (a write still open or cut short) is not read.
   *
   * @return the offset after the last line taken or skipped
   */
  private static long readLines(Path file, long offset, LineVisitor visitor) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long position = offset;
      long lineStart = offset;
      java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
      boolean overlong = false;
      ByteBuffer chunk = ByteBuffer.allocate(READ_CHUNK);
      while (true) {
        chunk.clear();
        int read = channel.read(chunk, position);
        if (read <= 0) {
          return lineStart;
        }
        byte[] data = chunk.array();
        int from = 0;
        for (int i = 0; i < read; i++) {
          if (data[i] != '\n') {
            continue;
          }
          if (!overlong) {
            line.write(data, from, i - from);
            Entry entry = parse(line.toString(StandardCharsets.UTF_8));
            long end = position + i + 1;
            if (entry == null) {
              // only the last line of a segment can be cut short by a crash, or a line a failed write left open
              LOG.warn("Spool {} holds an incomplete or damaged line at byte {}; skipped", file, lineStart);
            } else if (!visitor.visit(entry, end)) {
              return lineStart; // not taken: read again next time
            }
          } else {
            LOG.warn("Spool {} holds a line over {} bytes at byte {}; skipped", file, MAX_LINE_BYTES, lineStart);
          }
          line.reset();
          overlong = false;
          from = i + 1;
          lineStart = position + i + 1;
        }
        if (!overlong) {
          line.write(data, from, read - from);
          if (line.size() > MAX_LINE_BYTES) {
            overlong = true;
            line.reset();
          }
        }
        position += read;
      }
    }
  }

  /** Appends a record; empty when the spool is full (the record is dropped and counted). */
  public synchronized Optional<Entry> append(String topic, String key, String value) {
    return append(topic, key, value, Map.of());
  }

  /** Appends a record with Kafka headers; empty when the spool is full (the record is dropped and counted). */
  public synchronized Optional<Entry> append(String topic, String key, String value, Map<String, String> headers) {
    Entry entry = new Entry(nextSeq, topic, key, value, headers);
    byte[] line = line(entry);
    if (line.length > MAX_LINE_BYTES) {
      throw new IllegalArgumentException("a record of " + line.length + " bytes is larger than the spool takes ("
          + MAX_LINE_BYTES + ")");
    }
    if (bytes + line.length > maxBytes) {
      dropped++;
      return Optional.empty();
    }
    try {
      if (current == null || currentBytes + line.length > SEGMENT_BYTES) {
        roll();
      }
      if (lineOpen) {
        // a write that failed half-way (a full disk) left a partial line: end it, or this record would join it
        // and be lost to the next reader
        writeAll(new byte[] {'\n'});
        currentBytes++;
        bytes++;
        lineOpen = false;
      }
      writeAll(line);
    } catch (IOException e) {
      lineOpen = true;
      throw new UncheckedIOException("cannot append to the spool in " + dir, e);
    }
    nextSeq++;
    currentBytes += line.length;
    bytes += line.length;
    if (onDiskOnly == 0 && heldWeight + entry.weight() <= memoryWindow) {
      hold(entry);
      appendedInMemory.add(entry);
    } else {
      // the window is full: this record and every later one wait on disk until take() reads them back, in order
      onDiskOnly++;
    }
    return Optional.of(entry);
  }

  private void hold(Entry entry) {
    held.put(entry.seq(), entry.weight());
    heldWeight += entry.weight();
    loadedUpTo = entry.seq();
  }

  private void writeAll(byte[] bytesToWrite) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytesToWrite);
    while (buffer.hasRemaining()) {
      current.write(buffer);
    }
  }

  private void roll() throws IOException {
    if (current != null) {
      current.force(false);
      current.close();
    }
    Path file = dir.resolve(String.format("segment-%020d.log", nextSeq));
    current = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND);
    currentBytes = Files.size(file);
    // the file can exist already: a segment whose only line a crash cut short (its record was never counted, so the
    // next record gets its number); appending straight after the cut would glue the two into one damaged line
    lineOpen = currentBytes > 0 && !endsWithNewline(file);
    if (segments.isEmpty() || !segments.peekLast().path().equals(file)) {
      segments.add(new Segment(nextSeq, file));
    }
    if (cursorSegment == null) {
      cursorSegment = file;
      cursorOffset = 0;
    }
  }

  private static boolean endsWithNewline(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      if (channel.size() == 0) {
        return true;
      }
      ByteBuffer last = ByteBuffer.allocate(1);
      channel.read(last, channel.size() - 1);
      return last.get(0) == '\n';
    }
  }

  /**
   * The records to send next, oldest first: those appended while the window had room, then those read back from disk
   * while it has room. Each is handed out once per run; one that fails to send is the caller's to retry.
   */
  public List<Entry> take() {
    List<Entry> out = new ArrayList<>();
    drainAppended(out); // no lock: the spooler may be writing to disk meanwhile
    if (onDiskOnly > 0) {
      synchronized (this) {
        // every record appended in memory came before the first one left on disk: hand those out first, all of them
        drainAppended(out);
        if (heldWeight < memoryWindow) {
          try {
            readBack(out);
          } catch (IOException e) {
            LOG.warn("Spool in {} cannot be read back (will retry): {}", dir, e.toString());
          }
        }
      }
    }
    return out;
  }

  private void drainAppended(List<Entry> out) {
    Entry next;
    while ((next = appendedInMemory.poll()) != null) {
      out.add(next);
    }
  }

  private void readBack(List<Entry> out) throws IOException {
    boolean[] windowFull = {false};
    while (onDiskOnly > 0 && !windowFull[0] && cursorSegment != null) {
      Path segment = cursorSegment;
      cursorOffset = readLines(segment, cursorOffset, (entry, lineEnd) -> {
        if (entry.seq() <= loadedUpTo) {
          return true; // acknowledged already, or held since it was appended
        }
        if (onDiskOnly == 0) {
          return false;
        }
        if (!held.isEmpty() && heldWeight + entry.weight() > memoryWindow) {
          windowFull[0] = true; // one record always fits, however large: the spool never stalls on it
          return false;
        }
        hold(entry);
        onDiskOnly--;
        out.add(entry);
        return true;
      });
      if (windowFull[0] || onDiskOnly == 0) {
        break;
      }
      Segment next = segments.stream().filter(s -> s.path().compareTo(segment) > 0).findFirst().orElse(null);
      if (next == null) {
        // counted records that cannot be found (a line damaged after it was written): stop waiting for them
        LOG.warn("Spool in {}: {} records counted but not found on disk; they are lost", dir, onDiskOnly);
        onDiskOnly = 0;
        break;
      }
      cursorSegment = next.path();
      cursorOffset = 0;
    }
  }

  /** The broker acknowledged record {@code seq} (or it was moved out of the way for good). */
  public synchronized void ack(long seq) {
    Long weight = held.remove(seq);
    if (weight == null) {
      return;
    }
    heldWeight -= weight;
    watermark = held.isEmpty() ? loadedUpTo : held.firstKey() - 1;
  }

  /**
   * Writes the watermark, forces appended records to disk and deletes segments that hold only acknowledged records.
   * Call it periodically (about once a second) from the sending thread.
   *
   * <p>The disk writes (the fsync, the watermark file) happen outside the spool's lock: an fsync can take a hundred
   * milliseconds on a busy disk, and {@link #ack} runs on the Kafka producer's network thread, which must not wait
   * (held, it stopped every send and acknowledgement of the producer; seen in the pipeline benchmark as 100 ms waits
   * on this lock). Records appended meanwhile are forced by the next checkpoint.
   */
  public void checkpoint() {
    synchronized (checkpointing) {
      FileChannel appendedTo;
      long acknowledged;
      boolean moved;
      synchronized (this) {
        appendedTo = current;
        acknowledged = watermark;
        moved = watermark != persistedWatermark;
      }
      try {
        if (appendedTo != null) {
          try {
            appendedTo.force(false);
          } catch (java.nio.channels.ClosedChannelException e) {
            // closed meanwhile: a roll forces a segment before closing it, a reset only closes acknowledged ones
          }
        }
        if (moved) {
          Path tmp = dir.resolve(WATERMARK + ".tmp");
          Files.writeString(tmp, Long.toString(acknowledged));
          Files.move(tmp, dir.resolve(WATERMARK), StandardCopyOption.REPLACE_EXISTING,
              StandardCopyOption.ATOMIC_MOVE);
          synchronized (this) {
            persistedWatermark = acknowledged;
            deleteAcknowledgedSegments();
          }
        }
      } catch (IOException e) {
        LOG.warn("Spool checkpoint in {} failed (will retry): {}", dir, e.toString());
      }
    }
  }

  private void deleteAcknowledgedSegments() throws IOException {
    while (segments.size() > 1) {
      Segment oldest = segments.peekFirst();
      Segment next = segments.stream().skip(1).findFirst().orElseThrow();
      if (next.firstSeq() - 1 > persistedWatermark) {
        break;
      }
      if (oldest.path().equals(cursorSegment)) {
        // all of it is acknowledged, so whatever still waits on disk lies in a later segment
        cursorSegment = next.path();
        cursorOffset = 0;
      }
      bytes -= Files.exists(oldest.path()) ? Files.size(oldest.path()) : 0;
      Files.deleteIfExists(oldest.path());
      segments.removeFirst();
    }
    if (depth() == 0 && persistedWatermark >= nextSeq - 1 && !segments.isEmpty()) {
      // everything is acknowledged: start afresh, so a spool that filled up during an outage frees its space
      if (current != null) {
        current.close();
        current = null;
      }
      for (Segment segment : segments) {
        Files.deleteIfExists(segment.path());
      }
      segments.clear();
      cursorSegment = null;
      cursorOffset = 0;
      bytes = 0;
    }
  }

  /** Records appended and not yet acknowledged. */
  public synchronized long depth() {
    return held.size() + onDiskOnly;
  }

  /** Whether records wait on disk for room in the memory window. */
  public boolean windowFull() { // a volatile read: asked on every acknowledgement, it must not take the lock
    return onDiskOnly > 0;
  }

  /** Bytes of records held in memory (handed out or waiting to be, not yet acknowledged). */
  public synchronized long heldBytes() {
    return heldWeight;
  }

  /** Bytes the spool occupies on disk. */
  public synchronized long bytes() {
    return bytes;
  }

  /** Records refused because the spool was full. Goal: 0. */
  public synchronized long dropped() {
    return dropped;
  }

  /** The most bytes it holds on disk. */
  public long maxBytes() {
    return maxBytes;
  }

  /** At 80 % of its bound: time to page. */
  public synchronized boolean nearlyFull() {
    return bytes >= maxBytes * 0.8;
  }

  @Override
  public synchronized void close() {
    checkpoint();
    try {
      if (current != null) {
        current.close();
        current = null;
      }
    } catch (IOException e) {
      LOG.warn("Closing the spool in {}: {}", dir, e.toString());
    }
  }
}
