package io.sidecar.balancer;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.random.RandomGenerator;

/** A RandomGenerator whose nextInt(bound) answers come from a script (then 0), for hand-checked choices. */
public final class ScriptedRandom implements RandomGenerator {

    private final Deque<Integer> ints = new ArrayDeque<>();

    public ScriptedRandom(int... values) {
        for (int v : values) {
            ints.add(v);
        }
    }

    public ScriptedRandom then(int... values) {
        for (int v : values) {
            ints.add(v);
        }
        return this;
    }

    @Override
    public int nextInt(int bound) {
        Integer v = ints.poll();
        int r = v == null ? 0 : v;
        if (r < 0 || r >= bound) {
            throw new IllegalStateException("scripted " + r + " out of bound " + bound);
        }
        return r;
    }

    @Override
    public long nextLong() {
        return 0;
    }
}
