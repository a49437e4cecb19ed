package io.sidecar.loadtest.realrun;

/**
 * Sends one GET to the load target and reports its outcome exactly once, from any thread. The timeout covers the
 * whole exchange (connect, request, response body).
 */
public interface RequestSender extends AutoCloseable {

  void send(long timeoutNanos, Outcome outcome);

  /** Called exactly once per {@link #send}. */
  interface Outcome {
    /** The whole response arrived. */
    void response(int status);

    /** No (complete) response: {@code timedOut} when the timeout ended it. */
    void failed(Throwable cause, boolean timedOut);
  }

  @Override
  void close();
}
