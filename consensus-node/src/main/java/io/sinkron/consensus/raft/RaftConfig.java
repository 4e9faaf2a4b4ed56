package io.sinkron.consensus.raft;

/**
 * Tuning of the core, in ticks of the driver's clock.
 *
 * @param electionTicksMin a follower that hears no leader for a random number of ticks in
 *     [{@code electionTicksMin}, {@code electionTicksMax}) starts an election; a leader that has not
 *     heard a majority for {@code electionTicksMin} ticks steps down (check-quorum)
 * @param maxInflight AppendEntries in flight per follower in REPLICATE state
 * @param maxInflightBytes bytes of entries in flight per follower
 * @param maxMessageBytes entries per AppendEntries, in bytes (at least one entry is always sent)
 */
public record RaftConfig(
        String id,
        int heartbeatTicks,
        int electionTicksMin,
        int electionTicksMax,
        boolean preVote,
        boolean checkQuorum,
        int maxInflight,
        long maxInflightBytes,
        long maxMessageBytes) {

    public RaftConfig {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("node id must not be empty");
        }
        if (heartbeatTicks < 1 || electionTicksMin <= heartbeatTicks || electionTicksMax <= electionTicksMin) {
            throw new IllegalArgumentException("need 1 <= heartbeat < election min < election max ticks, got "
                    + heartbeatTicks + ", " + electionTicksMin + ", " + electionTicksMax);
        }
        if (maxInflight < 1 || maxInflightBytes < 1 || maxMessageBytes < 1) {
            throw new IllegalArgumentException("inflight and message limits must be positive");
        }
    }

    public static RaftConfig defaults(String id) {
        return new RaftConfig(id, 1, 10, 20, true, true, 256, 16L << 20, 1L << 20);
    }

    public RaftConfig withTicks(int heartbeat, int electionMin, int electionMax) {
        return new RaftConfig(
                id,
                heartbeat,
                electionMin,
                electionMax,
                preVote,
                checkQuorum,
                maxInflight,
                maxInflightBytes,
                maxMessageBytes);
    }
}
