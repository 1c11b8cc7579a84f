package io.chainwatch.watcher.detect;

import io.chainwatch.model.ResourceRef;
import java.util.Collection;
import java.util.List;

/**
 * Which subjects a change touches.
 *
 * @param all every subject (a cluster-wide setting changed)
 * @param refs the touched subjects when not {@code all}
 */
public record Subjects(boolean all, Collection<ResourceRef> refs) {
  public static final Subjects ALL = new Subjects(true, List.of());
  public static final Subjects NONE = new Subjects(false, List.of());

  public static Subjects of(Collection<ResourceRef> refs) {
    return new Subjects(false, refs);
  }
}
