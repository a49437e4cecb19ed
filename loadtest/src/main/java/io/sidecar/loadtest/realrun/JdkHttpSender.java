package io.sidecar.loadtest.realrun;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletionException;

/**
 * {@link RequestSender} on the JDK's {@code java.net.http} client: no dependency, so the unit tests use it. It
 * costs far more CPU per request than {@link VertxHttpSender} (about 0.5 ms here at 1000 req/s while requests time
 * out and connections churn), which matters on a 2-core machine; real-run.sh uses the Vert.x one.
 */
public final class JdkHttpSender implements RequestSender {
  private final HttpClient client;
  private final URI target;

  public JdkHttpSender(URI target, Duration connectTimeout) {
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout).build();
    this.target = target;
  }

  @Override
  public void send(long timeoutNanos, Outcome outcome) {
    HttpRequest get = HttpRequest.newBuilder(target).timeout(Duration.ofNanos(timeoutNanos)).GET().build();
    client.sendAsync(get, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
      if (failure == null) {
        outcome.response(response.statusCode());
      } else {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        outcome.failed(cause, cause instanceof HttpTimeoutException);
      }
    });
  }

  @Override
  public void close() {
    // java.net.http in Java 17 has no close(); its threads are daemons
  }
}
