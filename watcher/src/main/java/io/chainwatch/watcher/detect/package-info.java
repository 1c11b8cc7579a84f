/**
 * Detectors: pure rules over the {@link io.chainwatch.watcher.view.ClusterView}. They may read snapshots from the
 * model module; they never use fabric8 client classes, Vert.x, the system clock or I/O (an architecture test checks).
 */
package io.chainwatch.watcher.detect;
