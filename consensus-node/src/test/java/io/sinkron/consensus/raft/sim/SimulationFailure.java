package io.sinkron.consensus.raft.sim;

/** A broken invariant, with the seed and the command that replays the run. */
final class SimulationFailure extends AssertionError {

    SimulationFailure(long seed, String what) {
        super(what + "\n  seed=" + seed
                + "\n  replay: ./mvnw -pl consensus-node test -Dtest=ClusterSimulationTest#replay"
                + " -Dsinkron.sim.seed=" + seed);
    }
}
