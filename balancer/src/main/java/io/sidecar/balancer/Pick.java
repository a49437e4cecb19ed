package io.sidecar.balancer;

import java.util.Objects;

/** Answer of {@link ClusterBalancer#pick}: a started {@link CallHandle}, or a {@link Refusal}. */
public final class Pick {

    private final CallHandle handle;
    private final Refusal refusal;

    private Pick(CallHandle handle, Refusal refusal) {
        this.handle = handle;
        this.refusal = refusal;
    }

    static Pick accepted(CallHandle handle) {
        return new Pick(Objects.requireNonNull(handle), null);
    }

    static Pick refused(Refusal refusal) {
        return new Pick(null, Objects.requireNonNull(refusal));
    }

    public boolean isAccepted() {
        return handle != null;
    }

    /** The started call; throws if refused. */
    public CallHandle handle() {
        if (handle == null) {
            throw new IllegalStateException("pick was refused: " + refusal);
        }
        return handle;
    }

    /** The refusal, or null when accepted. */
    public Refusal refusal() {
        return refusal;
    }

    @Override
    public String toString() {
        return handle != null ? "Pick[" + handle.address() + "]" : "Pick[refused " + refusal + "]";
    }
}
