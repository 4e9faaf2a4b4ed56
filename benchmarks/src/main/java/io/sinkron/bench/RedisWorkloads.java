package io.sinkron.bench;

import java.nio.charset.StandardCharsets;

/**
 * The cache workloads of {@link ServiceWorkloads} against Redis: the same key names, key counts
 * and 100-character values, as {@code GET} and {@code SET} commands.
 */
final class RedisWorkloads {

    private static final byte[] GET = "GET".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SET = "SET".getBytes(StandardCharsets.US_ASCII);

    private RedisWorkloads() {}

    /** The command that writes {@code value} to {@code key}, answered {@code +OK}. */
    static byte[] set(String key, String value) {
        return RespConnection.command(SET, bytes(key), bytes(value));
    }

    /**
     * GET of keys drawn uniformly from {@code prefix0 .. prefix(keys-1)}, each expected to exist:
     * a nil reply is an error.
     */
    static RespWorkload get(String prefix, int keys) {
        return (client, random) -> {
            byte[][] commands = new byte[keys][];
            for (int k = 0; k < keys; k++) {
                commands[k] = RespConnection.command(GET, bytes(prefix + k));
            }
            return new Operation<>() {
                @Override
                public byte[] start() {
                    return commands[random.nextInt(keys)];
                }

                @Override
                public byte[] next(RespReplyParser reply) {
                    return reply.type() == RespConnection.BULK && reply.length() >= 0 ? SUCCEEDED : FAILED;
                }
            };
        };
    }

    /** SET of a 100-character value to keys drawn uniformly from {@code keys}. */
    static RespWorkload set(String prefix, int keys) {
        return (client, random) -> {
            byte[] value = bytes(ServiceWorkloads.payload(random));
            return new Operation<>() {
                @Override
                public byte[] start() {
                    return RespConnection.command(SET, bytes(prefix + random.nextInt(keys)), value);
                }

                @Override
                public byte[] next(RespReplyParser reply) {
                    return reply.type() == RespConnection.SIMPLE && "OK".equals(reply.text()) ? SUCCEEDED : FAILED;
                }
            };
        };
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
