package io.sinkron.consensus.raft.sim;

/** A broken invariant, with the seed and the command that replays the run. */
final class SimulationFailure extends AssertionError {

    SimulationFailure(long seed, String what) {
        this(seed, what, "ClusterSimulationTest#replay -Dsinkron.sim.seed=" + seed);
    }

    /** @param replay the test and properties that replay the run */
    SimulationFailure(long seed, String what, String replay) {
        super(what + "\n  seed=" + seed + "\n  replay: ./mvnw -pl consensus-node -am verify -Dtest=" + replay);
    }
}
