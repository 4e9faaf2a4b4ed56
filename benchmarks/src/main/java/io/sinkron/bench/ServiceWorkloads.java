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
        return (client, authority, random, setup) -> {
            String lock = contended ? "contended-" + tag : "uncontended-" + tag + "-" + client;
            String owner = "bench-" + tag + "-" + client;
            String[] vars = {"lock", lock, "client", owner, "timeout", contended ? "30000" : "0"};
            return sequence(ACQUIRE.render(authority, vars), 200, RELEASE.render(authority, vars), 200);
        };
    }

    /** Two fixed requests in turn, each expecting its status; the second only after the first succeeded. */
    static Operation<HttpResponseParser> sequence(byte[] first, int firstStatus, byte[] second, int secondStatus) {
        return new Operation<>() {
            private boolean atSecond;

            @Override
            public byte[] start() {
                atSecond = false;
                return first;
            }

            @Override
            public byte[] next(HttpResponseParser answer) {
                if (!atSecond) {
                    atSecond = true;
                    return answer.status() == firstStatus ? second : FAILED;
                }
                return answer.status() == secondStatus ? SUCCEEDED : FAILED;
            }
        };
    }

    static HttpWorkload enqueue(String queue) {
        return (client, authority, random, setup) ->
                HttpWorkload.single(ENQUEUE.render(authority, "queue", queue, "message", payload(random)), 201);
    }

    /** Up to 100 messages per request, for filling a queue fast. */
    static HttpWorkload enqueueBatch(String queue, int batch) {
        return (client, authority, random, setup) -> {
            var messages = new StringBuilder("{\"messages\":[");
            for (int i = 0; i < batch; i++) {
                messages.append(i == 0 ? "" : ",")
                        .append("{\"message\":\"")
                        .append(payload(random))
                        .append("\"}");
            }
            byte[] request = RequestTemplate.post(
                            "/queue/{queue}/enqueue", messages.append("]}").toString())
                    .render(authority, "queue", queue);
            return HttpWorkload.single(request, 201);
        };
    }

    /** Dequeue one message and ack it; an empty dequeue is an error (the queue ran dry). */
    static HttpWorkload dequeueAck(String queue) {
        return (client, authority, random, setup) -> {
            byte[] dequeue = DEQUEUE.render(authority, "queue", queue);
            return new Operation<>() {
                private boolean acking;

                @Override
                public byte[] start() {
                    acking = false;
                    return dequeue;
                }

                @Override
                public byte[] next(HttpResponseParser answer) {
                    if (acking) {
                        return answer.status() == 200 ? SUCCEEDED : FAILED;
                    }
                    if (answer.status() != 200) {
                        return FAILED;
                    }
                    String body = answer.body();
                    String id = Http.jsonField(body, "message_id");
                    String receipt = Http.jsonField(body, "receipt");
                    if (id == null || receipt == null) {
                        return FAILED;
                    }
                    acking = true;
                    return ACK.render(authority, "queue", queue, "id", id, "receipt", receipt);
                }
            };
        };
    }

    /** GET of keys drawn uniformly from {@code prefix0 .. prefix(keys-1)}, each expected to exist. */
    static HttpWorkload cacheGet(String prefix, int keys) {
        return (client, authority, random, setup) -> {
            byte[][] requests = new byte[keys][];
            for (int k = 0; k < keys; k++) {
                requests[k] = CACHE_GET.render(authority, "key", prefix + k);
            }
            return drawn(() -> requests[random.nextInt(keys)], 200);
        };
    }

    /** PUT of a 100-character string value to keys drawn uniformly from {@code keys}. */
    static HttpWorkload cachePut(String prefix, int keys) {
        return (client, authority, random, setup) -> {
            String value = payload(random);
            return drawn(() -> CACHE_PUT.render(authority, "key", prefix + random.nextInt(keys), "value", value), 200);
        };
    }

    /** Reads ({@code 1 - writeShare}) and writes of Zipf-distributed keys. */
    static HttpWorkload cacheZipf(String prefix, Zipf zipf, double writeShare) {
        return (client, authority, random, setup) -> {
            String value = payload(random);
            return drawn(
                    () -> {
                        String key = prefix + zipf.next(random);
                        return random.nextDouble() < writeShare
                                ? CACHE_PUT.render(authority, "key", key, "value", value)
                                : CACHE_GET.render(authority, "key", key);
                    },
                    200);
        };
    }

    /** An operation of one request drawn afresh for each operation, expecting {@code status}. */
    static Operation<HttpResponseParser> drawn(java.util.function.Supplier<byte[]> request, int status) {
        return new Operation<>() {
            @Override
            public byte[] start() {
                return request.get();
            }

            @Override
            public byte[] next(HttpResponseParser answer) {
                return answer.status() == status ? SUCCEEDED : FAILED;
            }
        };
    }

    /** The trivial Spring MVC endpoint of {@link ConstantJsonApp}. */
    static HttpWorkload constant() {
        return (client, authority, random, setup) ->
                HttpWorkload.single(RequestTemplate.get(ConstantJsonApp.PATH).render(authority), 200);
    }
}
