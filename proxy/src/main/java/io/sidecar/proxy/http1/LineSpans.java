package io.sidecar.proxy.http1;

import java.util.Arrays;

/** A reusable, growable list of [start, end) index pairs (header lines); grows only for unusually long heads. */
final class LineSpans {
  private int[] starts;
  private int[] ends;
  private int size;
  private DroppedLines view;
  private int viewBase;

  LineSpans(int initialCapacity) {
    starts = new int[initialCapacity];
    ends = new int[initialCapacity];
  }

  void clear() {
    size = 0;
  }

  void add(int start, int end) {
    if (size == starts.length) {
      starts = Arrays.copyOf(starts, size * 2);
      ends = Arrays.copyOf(ends, size * 2);
    }
    starts[size] = start;
    ends[size] = end;
    size++;
  }

  int size() {
    return size;
  }

  int start(int i) {
    checkIndex(i);
    return starts[i];
  }

  int end(int i) {
    checkIndex(i);
    return ends[i];
  }

  /**
   * These spans as {@link DroppedLines}, offsets from {@code base} (the reader index of the head they are in): one
   * view, made once, that the next call moves to its base.
   */
  DroppedLines relativeTo(int base) {
    viewBase = base;
    if (view == null) {
      view = new DroppedLines() {
        @Override
        public int droppedLines() {
          return size;
        }

        @Override
        public int droppedLineStart(int i) {
          return start(i) - viewBase;
        }

        @Override
        public int droppedLineEnd(int i) {
          return end(i) - viewBase;
        }
      };
    }
    return view;
  }

  private void checkIndex(int i) {
    if (i < 0 || i >= size) throw new IndexOutOfBoundsException("line " + i + " of " + size);
  }
}
