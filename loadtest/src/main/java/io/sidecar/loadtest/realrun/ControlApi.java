package io.sidecar.loadtest.realrun;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The few sidecar control-API calls a real run makes (control-api/src/main/resources/io/sidecar/admin/openapi.yaml):
 * read a cluster's balancer and per-endpoint request counts, and add or remove a latency toxic on one of the
 * sidecar's TCP proxies. Mutations carry the admin bearer token. A call that does not answer as documented throws
 * with the status and body, so a run never goes on against a sidecar in an unknown state.
 */
public final class ControlApi {
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

  private final HttpClient client;
  private final URI base;
  private final String token;
  private final ObjectMapper json = new ObjectMapper();

  public ControlApi(HttpClient client, URI base, String token) {
    this.client = client;
    this.base = base;
    this.token = token;
  }

  /**
   * {@code GET /clusters/{name}}: the balancer in effect, {@code endpoints[].requests} and
   * {@code endpoints[].failures} in the API's order.
   */
  public ClusterCounts cluster(String name) throws IOException, InterruptedException {
    JsonNode body = call(HttpRequest.newBuilder(base.resolve("/clusters/" + name)).GET(), 200);
    Map<String, Long> requests = new LinkedHashMap<>();
    Map<String, Long> failures = new LinkedHashMap<>();
    for (JsonNode endpoint : body.path("endpoints")) {
      requests.put(endpoint.path("address").asText(), endpoint.path("requests").asLong());
      failures.put(endpoint.path("address").asText(), endpoint.path("failures").asLong());
    }
    if (requests.isEmpty()) throw new IOException("GET /clusters/" + name + " lists no endpoints: " + body);
    return new ClusterCounts(body.path("balancer").asText(), requests, failures);
  }

  /**
   * {@code POST /tcp-proxies/{proxy}/toxics}: a Toxiproxy {@code latency} toxic on the downstream stream (the
   * upstream's responses), toxicity 1, no jitter.
   */
  public void addLatencyToxic(String proxy, String toxic, Duration latency) throws IOException, InterruptedException {
    ObjectNode body = json.createObjectNode()
        .put("name", toxic).put("type", "latency").put("stream", "downstream").put("toxicity", 1.0);
    body.putObject("attributes").put("latency", latency.toMillis() + "ms");
    call(authorized(base.resolve("/tcp-proxies/" + proxy + "/toxics"))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))), 201);
  }

  /** {@code DELETE /tcp-proxies/{proxy}/toxics/{toxic}}. */
  public void removeToxic(String proxy, String toxic) throws IOException, InterruptedException {
    call(authorized(base.resolve("/tcp-proxies/" + proxy + "/toxics/" + toxic)).DELETE(), 204);
  }

  private HttpRequest.Builder authorized(URI uri) {
    return HttpRequest.newBuilder(uri).header("authorization", "Bearer " + token);
  }

  private JsonNode call(HttpRequest.Builder request, int expected) throws IOException, InterruptedException {
    HttpRequest built = request.timeout(CALL_TIMEOUT).build();
    HttpResponse<String> response = client.send(built, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != expected) {
      throw new IOException(built.method() + " " + built.uri() + " answered " + response.statusCode()
          + " (expected " + expected + "): " + response.body());
    }
    return response.body().isEmpty() ? json.nullNode() : json.readTree(response.body());
  }

  /** A cluster's balancer and the request and failure counts per endpoint address. */
  public record ClusterCounts(String balancer, Map<String, Long> requests, Map<String, Long> failures) {
    /** Requests per endpoint since {@code before}, in this snapshot's endpoint order. */
    public Map<String, Long> requestsSince(ClusterCounts before) {
      return minus(requests, before.requests());
    }

    /** Failures (as the sidecar counts them: timeouts, resets, 5xx) per endpoint since {@code before}. */
    public Map<String, Long> failuresSince(ClusterCounts before) {
      return minus(failures, before.failures());
    }

    private static Map<String, Long> minus(Map<String, Long> after, Map<String, Long> before) {
      Map<String, Long> delta = new LinkedHashMap<>();
      after.forEach((address, n) -> delta.put(address, n - before.getOrDefault(address, 0L)));
      return delta;
    }
  }
}
