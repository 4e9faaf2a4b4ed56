package io.sinkron.bench;

import com.google.protobuf.ByteString;
import io.sinkron.client.ConsensusClient;
import io.sinkron.client.ConsensusClientConfig;
import io.sinkron.proto.KvCommand;
import io.sinkron.proto.KvPut;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/** Puts through {@link ConsensusClient} into the replicated "kv" state machine. */
final class SinkronTarget implements KvTarget {

    private final ConsensusClient client;

    /**
     * @param endpoints comma-separated gRPC {@code host:port} of the consensus nodes
     */
    SinkronTarget(String endpoints) {
        this.client = new ConsensusClient(ConsensusClientConfig.parse(endpoints));
        // Learn the leader up front, as the client documents: a follower that forwards a command
        // answers OK without a leader hint, so otherwise every put could take the extra hop
        // through a follower for the whole run.
        client.status();
    }

    @Override
    public CompletableFuture<?> put(byte[] key, byte[] value) {
        byte[] command = KvCommand.newBuilder()
                .setPut(KvPut.newBuilder()
                        .setKey(new String(key, StandardCharsets.US_ASCII))
                        .setValue(ByteString.copyFrom(value)))
                .build()
                .toByteArray();
        return client.submitAsync("kv", command);
    }

    @Override
    public void close() {
        client.close();
    }
}
