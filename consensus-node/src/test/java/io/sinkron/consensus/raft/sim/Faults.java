package io.sinkron.consensus.raft.sim;

import java.util.random.RandomGenerator;

/** The fault mix of one simulation run, drawn from its seed. */
record Faults(
        double dropRate,
        double duplicateRate,
        int maxDelayMs,
        boolean partitions,
        boolean crashes,
        boolean pauses,
        double tornWriteRate,
        int maxDiskMs) {

    static Faults none() {
        return new Faults(0, 0, 2, false, false, false, 0, 1);
    }

    /** A healthy network and disk: nothing lost, delays and fsyncs of a few milliseconds. */
    static Faults quiet(RandomGenerator r) {
        return new Faults(0, 0, 1 + r.nextInt(5), false, false, false, 0, r.nextInt(6));
    }

    static Faults random(RandomGenerator r) {
        double[] drops = {0, 0.02, 0.1, 0.25};
        return new Faults(
                drops[r.nextInt(drops.length)],
                r.nextBoolean() ? 0 : 0.05,
                1 + r.nextInt(40),
                r.nextInt(3) > 0,
                r.nextInt(3) > 0,
                r.nextInt(4) == 0,
                r.nextInt(3) == 0 ? 0.01 : 0,
                r.nextInt(6));
    }
}
