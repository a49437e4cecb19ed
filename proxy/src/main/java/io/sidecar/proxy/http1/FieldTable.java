package io.sidecar.proxy.http1;

import java.util.Arrays;

/**
 * The field lines of one parsed head, as absolute indices: line start, name end, trimmed value range, line end
 * (after the line terminator) and a small kind code. Reusable; grows only for heads with very many fields.
 */
final class FieldTable {
  private int[] lineStart;
  private int[] nameEnd;
  private int[] valueStart;
  private int[] valueEnd;
  private int[] lineEnd;
  private byte[] kind;
  private int size;

  FieldTable(int initialCapacity) {
    lineStart = new int[initialCapacity];
    nameEnd = new int[initialCapacity];
    valueStart = new int[initialCapacity];
    valueEnd = new int[initialCapacity];
    lineEnd = new int[initialCapacity];
    kind = new byte[initialCapacity];
  }

  void clear() {
    size = 0;
  }

  void add(int start, int nameEnd, int valueStart, int valueEnd, int end, byte kind) {
    if (size == lineStart.length) grow();
    this.lineStart[size] = start;
    this.nameEnd[size] = nameEnd;
    this.valueStart[size] = valueStart;
    this.valueEnd[size] = valueEnd;
    this.lineEnd[size] = end;
    this.kind[size] = kind;
    size++;
  }

  private void grow() {
    int capacity = lineStart.length * 2;
    lineStart = Arrays.copyOf(lineStart, capacity);
    nameEnd = Arrays.copyOf(nameEnd, capacity);
    valueStart = Arrays.copyOf(valueStart, capacity);
    valueEnd = Arrays.copyOf(valueEnd, capacity);
    lineEnd = Arrays.copyOf(lineEnd, capacity);
    kind = Arrays.copyOf(kind, capacity);
  }

  int size() {
    return size;
  }

  int lineStart(int i) {
    return lineStart[i];
  }

  int nameEnd(int i) {
    return nameEnd[i];
  }

  int valueStart(int i) {
    return valueStart[i];
  }

  int valueEnd(int i) {
    return valueEnd[i];
  }

  int lineEnd(int i) {
    return lineEnd[i];
  }

  byte kind(int i) {
    return kind[i];
  }
}
