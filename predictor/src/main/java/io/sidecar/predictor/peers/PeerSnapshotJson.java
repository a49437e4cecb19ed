package io.sidecar.predictor.peers;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Optional;

/** JSON encoding of {@link PeerSnapshot} (the wire format of Redis messages and {@code GET /signals/snapshot}). */
public final class PeerSnapshotJson {
    private PeerSnapshotJson() {
    }

    public static String encode(PeerSnapshot s) {
        return new JsonObject(s.toMap()).encode();
    }

    /** Empty when the text is not a readable snapshot (malformed messages are dropped, never thrown). */
    public static Optional<PeerSnapshot> decode(String text) {
        try {
            return Optional.of(PeerSnapshot.fromMap(new JsonObject(text).getMap()));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    public static Optional<PeerSnapshot> decode(Buffer body) {
        return decode(body.toString());
    }
}
