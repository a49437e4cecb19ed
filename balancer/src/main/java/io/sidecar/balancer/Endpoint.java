package io.sidecar.balancer;

import java.util.Objects;

/**
 * One upstream endpoint of a cluster: a {@code host:port} address and a load-balancing weight.
 * The address is the endpoint's identity: runtime state survives {@link ClusterBalancer#updateEndpoints}
 * for every address that stays in the list.
 */
public record Endpoint(String address, int weight) {

    public static final int DEFAULT_WEIGHT = 1;
    public static final int MAX_WEIGHT = 1_000_000;

    public Endpoint {
        Objects.requireNonNull(address, "address");
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException("address must be host:port, was '" + address + "'");
        }
        try {
            int port = Integer.parseInt(address.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("address port must be 1..65535, was '" + address + "'");
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("address port must be a number, was '" + address + "'");
        }
        if (weight < 1 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight must be 1.." + MAX_WEIGHT + ", was " + weight + " for " + address);
        }
    }

    public static Endpoint of(String address) {
        return new Endpoint(address, DEFAULT_WEIGHT);
    }

    public static Endpoint of(String address, int weight) {
        return new Endpoint(address, weight);
    }
}
