package io.sidecar.proxy;

import java.util.List;

/**
 * The balancing seam: chooses the endpoint for one try. Implementations are thread-safe.
 * Round robin lives here until the balancer module provides the other strategies.
 */
public interface EndpointPicker {
  /** An endpoint not in {@code tried} when one exists (else any), or null when the list is empty. */
  Endpoint pick(List<Endpoint> endpoints, List<Endpoint> tried);
}
