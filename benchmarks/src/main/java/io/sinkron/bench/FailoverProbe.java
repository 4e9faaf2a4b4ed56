package io.sinkron.bench;

import com.google.protobuf.ByteString;
import io.sinkron.client.ConsensusClient;
import io.sinkron.client.ConsensusClientConfig;
import io.sinkron.proto.KvCommand;
import io.sinkron.proto.KvPut;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Leader failover of a Sinkron cluster: kill -9 the leader, then time (a) until the two survivors
 * agree on a new leader, as their {@code /status} pages say, and (b) until a put submitted right
 * after the kill is committed and applied. (b) is the outage a client sees. The killed member is
 * restarted on its data and caught up before the next round.
 */
final class FailoverProbe {

    /** @param killed the member that led and was killed */
    record Sample(String killed, double electedMillis, double committedMillis) {}

    private static final Duration SETTLE = Duration.ofSeconds(90);

    private final SinkronCluster cluster;

    FailoverProbe(SinkronCluster cluster) {
        this.cluster = cluster;
    }

    List<Sample> run(int rounds) throws InterruptedException, IOException {
        List<Sample> samples = new ArrayList<>();
        // Short attempts and a small backoff cap, so that the client's retry pacing adds at most
        // tens of milliseconds to what the cluster itself takes.
        var config = ConsensusClientConfig.parse(cluster.loadEndpoints())
                .withDefaultDeadline(Duration.ofSeconds(30))
                .withAttemptTimeout(Duration.ofMillis(300))
                .withBackoff(Duration.ofMillis(5), Duration.ofMillis(50))
                .withNodeHealth(1, Duration.ofMillis(500));
        try (var client = new ConsensusClient(config)) {
            for (int round = 0; round < rounds; round++) {
                int leader = settle();
                client.submit("kv", put("failover-warm"));
                client.status();

                long start = System.nanoTime();
                cluster.kill9(leader);
                double[] elected = {Double.NaN};
                Thread election = Thread.ofPlatform().start(() -> elected[0] = awaitNewLeader(leader, start));
                client.submit("kv", put("failover-" + round));
                double committed = (System.nanoTime() - start) / 1e6;
                election.join(SETTLE.toMillis());
                samples.add(new Sample(SinkronCluster.nodeId(leader), elected[0], committed));

                cluster.start(leader);
            }
            settle();
        }
        return samples;
    }

    /** Waits until there is a leader and every member has applied all it committed. */
    private int settle() throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (System.nanoTime() < deadline) {
            int leader = cluster.awaitLeader(SETTLE);
            if (cluster.caughtUp(leader)) {
                return leader;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("cluster did not catch up within " + SETTLE);
    }

    private double awaitNewLeader(int killed, long start) {
        long deadline = start + SETTLE.toNanos();
        while (System.nanoTime() < deadline) {
            if (cluster.agreedLeader(killed) >= 0) {
                return (System.nanoTime() - start) / 1e6;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Double.NaN;
            }
        }
        return Double.NaN;
    }

    private static byte[] put(String key) {
        return KvCommand.newBuilder()
                .setPut(KvPut.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8("x")))
                .build()
                .toByteArray();
    }
}
