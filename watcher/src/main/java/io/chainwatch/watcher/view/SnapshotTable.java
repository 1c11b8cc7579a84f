package io.chainwatch.watcher.view;

import io.chainwatch.model.Snapshot;
import java.util.Collection;
import java.util.Collections;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** Snapshots of one kind by informer key, each with the resourceVersion it was projected from. */
public final class SnapshotTable<S extends Snapshot> {
  private final ConcurrentHashMap<String, Entry<S>> entries = new ConcurrentHashMap<>();
  private final Collection<S> snapshotsView =
      Collections.unmodifiableCollection(new java.util.AbstractCollection<>() {
        @Override
        public java.util.Iterator<S> iterator() {
          var it = entries.values().iterator();
          return new java.util.Iterator<>() {
            @Override
            public boolean hasNext() {
              return it.hasNext();
            }

            @Override
            public S next() {
              return it.next().snapshot();
            }
          };
        }

        @Override
        public int size() {
          return entries.size();
        }
      });

  /**
   * One stored object.
   *
   * @param resourceVersion the resourceVersion the informer last saw (kept so it can tell changes from resyncs)
   * @param snapshot the projection
   */
  public record Entry<S>(String resourceVersion, S snapshot) {}

  Entry<S> put(String key, String resourceVersion, S snapshot) {
    return entries.put(key, new Entry<>(resourceVersion, snapshot));
  }

  Entry<S> remove(String key) {
    return entries.remove(key);
  }

  public Entry<S> entry(String key) {
    return entries.get(key);
  }

  public Optional<S> snapshot(String key) {
    Entry<S> entry = entries.get(key);
    return entry == null ? Optional.empty() : Optional.of(entry.snapshot());
  }

  /** A live, weakly consistent view of the snapshots (no copy). */
  public Collection<S> snapshots() {
    return snapshotsView;
  }

  public Stream<String> keys() {
    return entries.keySet().stream();
  }

  public Stream<Entry<S>> entries() {
    return entries.values().stream();
  }

  public int size() {
    return entries.size();
  }
}
