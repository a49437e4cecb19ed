package io.sidecar.fault;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Keeps the last {@code capacity} audit events in memory. Thread-safe. */
public final class InMemoryAuditLog implements AuditLog {
  public static final int DEFAULT_CAPACITY = 1000;

  private final int capacity;
  private final ArrayDeque<AuditEvent> events = new ArrayDeque<>();

  public InMemoryAuditLog() {
    this(DEFAULT_CAPACITY);
  }

  public InMemoryAuditLog(int capacity) {
    this.capacity = capacity;
  }

  @Override
  public synchronized void record(AuditEvent event) {
    if (events.size() == capacity) events.removeFirst();
    events.addLast(event);
  }

  @Override
  public synchronized List<AuditEvent> recent(int limit) {
    List<AuditEvent> out = new ArrayList<>(Math.min(limit, events.size()));
    Iterator<AuditEvent> it = events.descendingIterator();
    while (it.hasNext() && out.size() < limit) out.add(it.next());
    return out;
  }
}
