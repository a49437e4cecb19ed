package io.sidecar.proxy;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code x-request-id}: the correlation id a request carries through the services it touches (Envoy's
 * {@code generate_request_id}, nginx's {@code $request_id}). A client's own id is passed on unchanged; a request
 * without one gets a random UUID (version 4, RFC 9562 §5.4) once, at the first proxy, so every hop, retry and log
 * line of it shares the same id. Not a secret: a thread-local generator is enough for uniqueness.
 */
final class RequestIds {
  static final String HEADER = "x-request-id";

  private RequestIds() {}

  static String random() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long msb = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
    long lsb = (random.nextLong() & ~(0xC000_0000_0000_0000L)) | 0x8000_0000_0000_0000L; // IETF variant
    return new UUID(msb, lsb).toString();
  }
}
