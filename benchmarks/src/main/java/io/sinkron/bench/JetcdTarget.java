package io.sinkron.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import java.util.concurrent.CompletableFuture;

/**
 * Puts through jetcd, etcd's Java client on its native gRPC API: the earlier etcd driver, kept as
 * {@code --target=etcd-jetcd} to show what that client costs against {@link EtcdTarget}.
 */
final class JetcdTarget implements KvTarget {

    private final Client client;
    private final KV kv;

    /** @param endpoints comma-separated client URLs, e.g. {@code http://127.0.0.1:2379} */
    JetcdTarget(String endpoints) {
        this.client = Client.builder().endpoints(endpoints.split(",")).build();
        this.kv = client.getKVClient();
    }

    @Override
    public CompletableFuture<?> put(byte[] key, byte[] value) {
        return kv.put(ByteSequence.from(key), ByteSequence.from(value));
    }

    @Override
    public void close() {
        client.close();
    }
}
