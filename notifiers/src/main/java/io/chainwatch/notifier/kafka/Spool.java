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
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records waiting for the broker's acknowledgement, on disk: append-only segment files of JSON lines and a watermark
 * (every sequence number up to it is acknowledged). A record is appended before it is sent and counts as delivered
 * only once acknowledged, so a broker outage of any length or a restart of chainwatch loses nothing: {@link #open}
 * returns what is still unacknowledged, in order. Segments whose records are all acknowledged are deleted. Bounded:
 * beyond {@code maxBytes} records are refused and counted. Writes go to the page cache (they survive a crash of
 * chainwatch); the files are forced to disk about once a second. Thread-safe.
 */
public final class Spool implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
  private static final long SEGMENT_BYTES = 4L * 1024 * 1024;
  private static final String WATERMARK = "acked";

  /**
   * One spooled record.
   *
   * @param seq its place in the spool, increasing
   * @param topic the Kafka topic
   * @param key the Kafka key
   * @param value the Kafka value
   */
  public record Entry(long seq, String topic, String key, String value) {}

  private record Segment(long firstSeq, Path path) {}

  private final Path dir;
  private final long maxBytes;
  private final Deque<Segment> segments = new ArrayDeque<>();
  private final TreeSet<Long> pending = new TreeSet<>();
  private FileChannel current;
  /** The current segment ends in a partial line (a cut or a failed write): the next append ends it first. */
  private boolean lineOpen;
  private long currentBytes;
  private long bytes;
  private long nextSeq = 1;
  private long watermark;
  private long persistedWatermark = -1;
  private long dropped;

  public Spool(Path dir, long maxBytes) {
    this.dir = Objects.requireNonNull(dir, "dir");
    this.maxBytes = maxBytes;
  }

  /** Reads what an earlier run left: the records not yet acknowledged, oldest first. */
  public synchronized List<Entry> open() throws IOException {
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
    List<Entry> unacknowledged = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files = listing.filter(p -> p.getFileName().toString().matches("segment-\\d{20}\\.log")).sorted().toList();
    }
    long maxSeq = watermark;
    for (Path file : files) {
      String name = file.getFileName().toString();
      segments.add(new Segment(Long.parseLong(name.substring(8, 28)), file));
      bytes += Files.size(file);
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        Entry entry = parse(lines.get(i));
        if (entry == null) {
          // only the last line of the last segment can be cut short, by a crash in the middle of a write
          LOG.warn("Spool {} line {} is incomplete or damaged; skipped", file, i + 1);
          continue;
        }
        maxSeq = Math.max(maxSeq, entry.seq());
        if (entry.seq() > watermark) {
          pending.add(entry.seq());
          unacknowledged.add(entry);
        }
      }
    }
    nextSeq = maxSeq + 1;
    deleteAcknowledgedSegments();
    return unacknowledged;
  }

  private static Entry parse(String line) {
    try {
      JsonObject json = new JsonObject(line);
      Long seq = json.getLong("seq");
      String topic = json.getString("topic");
      String value = json.getString("value");
      return seq == null || topic == null || value == null ? null : new Entry(seq, topic, json.getString("key"), value);
    } catch (DecodeException | ClassCastException e) {
      return null;
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

  /** Appends a record; empty when the spool is full (the record is dropped and counted). */
  public synchronized java.util.Optional<Entry> append(String topic, String key, String value) {
    Entry entry = new Entry(nextSeq, topic, key, value);
    byte[] line = (new JsonObject().put("seq", entry.seq()).put("topic", topic).put("key", key).put("value", value)
        .encode() + "\n").getBytes(StandardCharsets.UTF_8);
    if (bytes + line.length > maxBytes) {
      dropped++;
      return java.util.Optional.empty();
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
      ByteBuffer buffer = ByteBuffer.wrap(line);
      while (buffer.hasRemaining()) {
        current.write(buffer);
      }
    } catch (IOException e) {
      lineOpen = true;
      throw new UncheckedIOException("cannot append to the spool in " + dir, e);
    }
    nextSeq++;
    currentBytes += line.length;
    bytes += line.length;
    pending.add(entry.seq());
    return java.util.Optional.of(entry);
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
    segments.add(new Segment(nextSeq, file));
  }

  /** The broker acknowledged record {@code seq}. */
  public synchronized void ack(long seq) {
    if (pending.remove(seq)) {
      watermark = pending.isEmpty() ? nextSeq - 1 : pending.first() - 1;
    }
  }

  /**
   * Writes the watermark, forces appended records to disk and deletes segments that hold only acknowledged records.
   * Call it periodically (about once a second) from the sending thread.
   */
  public synchronized void checkpoint() {
    try {
      if (current != null) {
        current.force(false);
      }
      if (watermark != persistedWatermark) {
        Path tmp = dir.resolve(WATERMARK + ".tmp");
        Files.writeString(tmp, Long.toString(watermark));
        Files.move(tmp, dir.resolve(WATERMARK), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        persistedWatermark = watermark;
        deleteAcknowledgedSegments();
      }
    } catch (IOException e) {
      LOG.warn("Spool checkpoint in {} failed (will retry): {}", dir, e.toString());
    }
  }

  private void deleteAcknowledgedSegments() throws IOException {
    while (segments.size() > 1) {
      Segment oldest = segments.peekFirst();
      Segment next = segments.stream().skip(1).findFirst().orElseThrow();
      if (next.firstSeq() - 1 > persistedWatermark) {
        break;
      }
      bytes -= Files.exists(oldest.path()) ? Files.size(oldest.path()) : 0;
      Files.deleteIfExists(oldest.path());
      segments.removeFirst();
    }
    if (pending.isEmpty() && persistedWatermark >= nextSeq - 1 && !segments.isEmpty()) {
      // everything is acknowledged: start afresh, so a spool that filled up during an outage frees its space
      if (current != null) {
        current.close();
        current = null;
      }
      for (Segment segment : segments) {
        Files.deleteIfExists(segment.path());
      }
      segments.clear();
      bytes = 0;
    }
  }

  /** Records appended and not yet acknowledged. */
  public synchronized int depth() {
    return pending.size();
  }

  /** Bytes the spool occupies on disk. */
  public synchronized long bytes() {
    return bytes;
  }

  /** Records refused because the spool was full. Goal: 0. */
  public synchronized long dropped() {
    return dropped;
  }

  /** At 80 % of its bound: time to page. */
  /** The most bytes it holds. */
  public long maxBytes() {
    return maxBytes;
  }

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
