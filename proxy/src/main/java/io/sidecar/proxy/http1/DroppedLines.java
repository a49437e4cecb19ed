package io.sidecar.proxy.http1;

/** The field lines of a parsed head that are not forwarded as they are, by offset from the head's start. */
public interface DroppedLines {
  int droppedLines();

  /** Start of dropped line {@code i}, relative to the readerIndex at parse time; ascending in {@code i}. */
  int droppedLineStart(int i);

  /** End (exclusive, after the line terminator) of dropped line {@code i}, relative to the readerIndex at parse time. */
  int droppedLineEnd(int i);
}
