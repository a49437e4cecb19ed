package io.sidecar.balancer.health;

/** HTTP statuses {@code first..last}, both included (a single status is {@code first == last}). */
public record StatusRange(int first, int last) {

    public StatusRange {
        if (first < 100 || last > 599 || first > last) {
            throw new IllegalArgumentException("status range must be within 100..599, low to high, was "
                    + first + "-" + last);
        }
    }

    public static StatusRange of(int status) {
        return new StatusRange(status, status);
    }

    public boolean contains(int status) {
        return status >= first && status <= last;
    }

    @Override
    public String toString() {
        return first == last ? Integer.toString(first) : first + "-" + last;
    }
}
