package io.sinkron.bench;

import java.util.SplittableRandom;

/**
 * The REST workloads of Sinkron's services and of the trivial Spring MVC endpoint, as request
 * templates of the endpoints the issues name. {@code tag} makes ids unique to one measurement, so
 * that no measurement meets locks or messages an earlier one left.
 */
final class ServiceWorkloads {

    private static final RequestTemplate ACQUIRE = RequestTemplate.post(
            "/locks/{lock}", "{\"client_id\":\"{client}\",\"lock_type\":\"exclusive\",\"timeout\":{timeout}}");
    private static final RequestTemplate RELEASE = RequestTemplate.delete("/locks/{lock}?client_id={client}");
    private static final RequestTemplate ENQUEUE =
            RequestTemplate.post("/queue/{queue}/enqueue", "{\"message\":\"{message}\"}");
    private static final RequestTemplate DEQUEUE =
            RequestTemplate.post("/queue/{queue}/dequeue", "{\"max_messages\":1,\"visibility_timeout\":60000}");
    private static final RequestTemplate ACK =
            RequestTemplate.post("/queue/{queue}/ack", "{\"message_id\":\"{id}\",\"receipt\":\"{receipt}\"}");
    private static final RequestTemplate CACHE_GET = RequestTemplate.get("/cache/{key}");
    private static final RequestTemplate CACHE_PUT = RequestTemplate.put("/cache/{key}", "{\"value\":\"{value}\"}");

    private ServiceWorkloads() {}

    /** A 100-character printable text, the payload of a message or cache value. */
    static String payload(SplittableRandom random) {
        var b = new StringBuilder(100);
        for (int i = 0; i < 100; i++) {
            b.append((char) ('a' + random.nextInt(26)));
        }
        return b.toString();
    }

    /**
     * Exclusive acquire then release. With {@code contended} every client takes the same lock and
     * waits up to 30 s in line (FIFO); otherwise each client has its own lock and tries once.
     */
    static HttpWorkload lockCycle(String tag, boolean contended) {
        return (client, connection, random) -> {
            String lock = contended ? "contended-" + tag : "uncontended-" + tag + "-" + client;
            String owner = "bench-" + tag + "-" + client;
            String[] vars = {"lock", lock, "client", owner, "timeout", contended ? "30000" : "0"};
            byte[] acquire = ACQUIRE.render(connection.authority(), vars);
            byte[] release = RELEASE.render(connection.authority(), vars);
            return c -> c.exchange(acquire) == 200 && c.exchange(release) == 200;
        };
    }

    static HttpWorkload enqueue(String queue) {
        return (client, connection, random) -> {
            byte[] request = ENQUEUE.render(connection.authority(), "queue", queue, "message", payload(random));
            return c -> c.exchange(request) == 201;
        };
    }

    /** Up to 100 messages per request, for filling a queue fast. */
    static HttpWorkload enqueueBatch(String queue, int batch) {
        return (client, connection, random) -> {
            var messages = new StringBuilder("{\"messages\":[");
            for (int i = 0; i < batch; i++) {
                messages.append(i == 0 ? "" : ",")
                        .append("{\"message\":\"")
                        .append(payload(random))
                        .append("\"}");
            }
            byte[] request = RequestTemplate.post(
                            "/queue/{queue}/enqueue", messages.append("]}").toString())
                    .render(connection.authority(), "queue", queue);
            return c -> c.exchange(request) == 201;
        };
    }

    /** Dequeue one message and ack it; an empty dequeue is an error (the queue ran dry). */
    static HttpWorkload dequeueAck(String queue) {
        return (client, connection, random) -> {
            byte[] dequeue = DEQUEUE.render(connection.authority(), "queue", queue);
            return c -> {
                if (c.exchange(dequeue) != 200) {
                    return false;
                }
                String body = c.body();
                String id = Http.jsonField(body, "message_id");
                String receipt = Http.jsonField(body, "receipt");
                if (id == null || receipt == null) {
                    return false;
                }
                return c.exchange(ACK.render(c.authority(), "queue", queue, "id", id, "receipt", receipt)) == 200;
            };
        };
    }

    /** GET of keys drawn uniformly from {@code prefix0 .. prefix(keys-1)}, each expected to exist. */
    static HttpWorkload cacheGet(String prefix, int keys) {
        return (client, connection, random) -> {
            byte[][] requests = new byte[keys][];
            for (int k = 0; k < keys; k++) {
                requests[k] = CACHE_GET.render(connection.authority(), "key", prefix + k);
            }
            return c -> c.exchange(requests[random.nextInt(keys)]) == 200;
        };
    }

    /** PUT of a 100-character string value to keys drawn uniformly from {@code keys}. */
    static HttpWorkload cachePut(String prefix, int keys) {
        return (client, connection, random) -> {
            String value = payload(random);
            return c ->
                    c.exchange(CACHE_PUT.render(c.authority(), "key", prefix + random.nextInt(keys), "value", value))
                            == 200;
        };
    }

    /** Reads ({@code 1 - writeShare}) and writes of Zipf-distributed keys. */
    static HttpWorkload cacheZipf(String prefix, Zipf zipf, double writeShare) {
        return (client, connection, random) -> {
            String value = payload(random);
            return c -> {
                String key = prefix + zipf.next(random);
                if (random.nextDouble() < writeShare) {
                    return c.exchange(CACHE_PUT.render(c.authority(), "key", key, "value", value)) == 200;
                }
                return c.exchange(CACHE_GET.render(c.authority(), "key", key)) == 200;
            };
        };
    }

    /** The trivial Spring MVC endpoint of {@link ConstantJsonApp}. */
    static HttpWorkload constant() {
        return (client, connection, random) -> {
            byte[] request = RequestTemplate.get(ConstantJsonApp.PATH).render(connection.authority());
            return c -> c.exchange(request) == 200;
        };
    }
}
