package io.sinkron.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The same operations against etcd's v3 JSON gateway (grpc-gateway, etcd 3.4 paths under
 * {@code /v3/}): keys and values are base64 in JSON, int64s are JSON strings.
 */
final class EtcdWorkloads {

    private static final RequestTemplate PUT =
            RequestTemplate.post("/v3/kv/put", "{\"key\":\"{key}\",\"value\":\"{value}\"}");
    private static final RequestTemplate RANGE = RequestTemplate.post("/v3/kv/range", "{\"key\":\"{key}\"}");
    private static final RequestTemplate GRANT = RequestTemplate.post("/v3/lease/grant", "{\"TTL\":{ttl}}");
    private static final RequestTemplate LOCK =
            RequestTemplate.post("/v3/lock/lock", "{\"name\":\"{name}\",\"lease\":\"{lease}\"}");
    private static final RequestTemplate UNLOCK = RequestTemplate.post("/v3/lock/unlock", "{\"key\":\"{key}\"}");

    private EtcdWorkloads() {}

    static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Puts of a 100-byte value to keys drawn uniformly from {@code keys} 8-byte keys. */
    static HttpWorkload put(int keys) {
        String[] names = keyNames(keys);
        return (client, authority, random, setup) -> {
            String value = base64(ServiceWorkloads.payload(random));
            return ServiceWorkloads.drawn(
                    () -> PUT.render(authority, "key", names[random.nextInt(keys)], "value", value), 200);
        };
    }

    /** Linearizable (the default) single-key ranges of keys drawn uniformly from {@code keys}. */
    static HttpWorkload range(int keys) {
        String[] names = keyNames(keys);
        return (client, authority, random, setup) ->
                ServiceWorkloads.drawn(() -> RANGE.render(authority, "key", names[random.nextInt(keys)]), 200);
    }

    private static String[] keyNames(int keys) {
        String[] names = new String[keys];
        for (int k = 0; k < keys; k++) {
            names[k] = base64("k%07d".formatted(k));
        }
        return names;
    }

    /** One fixed range request, the same bytes wrk sends in the calibration. */
    static HttpWorkload rangeOne(String key) {
        return (client, authority, random, setup) ->
                HttpWorkload.single(RANGE.render(authority, "key", base64(key)), 200);
    }

    static String rangeOneBody(String key) {
        return "{\"key\":\"" + base64(key) + "\"}";
    }

    /**
     * etcd's lock service: each client grants itself a lease once, then locks (the call returns
     * when the lock is held: a contended lock waits on a watch of its predecessor's key) and
     * unlocks with the key the lock call returned. {@code contended}: one lock name for all.
     */
    static HttpWorkload lockCycle(String tag, boolean contended) {
        return (client, authority, random, setup) -> {
            String lease = grant(setup, 60);
            // An uncontended lock is named after its client's lease too: a level that ends with a
            // client holding its lock leaves it held until the lease expires (60 s), and the next
            // level's client of the same number must not queue behind it.
            String name = base64(contended ? "contended-" + tag : "uncontended-" + tag + "-" + client + "-" + lease);
            byte[] lock = LOCK.render(authority, "name", name, "lease", lease);
            return new Operation<>() {
                private boolean unlocking;

                @Override
                public byte[] start() {
                    unlocking = false;
                    return lock;
                }

                @Override
                public byte[] next(HttpResponseParser answer) {
                    if (unlocking) {
                        return answer.status() == 200 ? SUCCEEDED : FAILED;
                    }
                    String key = answer.status() == 200 ? Http.jsonField(answer.body(), "key") : null;
                    if (key == null) {
                        return FAILED;
                    }
                    unlocking = true;
                    return UNLOCK.render(authority, "key", key);
                }
            };
        };
    }

    private static String grant(HttpConnection connection, int ttlSeconds) throws IOException {
        int status = connection.exchange(GRANT.render(connection.authority(), "ttl", Integer.toString(ttlSeconds)));
        String id = status == 200 ? Http.jsonField(connection.body(), "ID") : null;
        if (id == null) {
            throw new IOException("etcd lease grant failed: " + status + " " + connection.body());
        }
        return id;
    }
}
