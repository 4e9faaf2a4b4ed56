package io.sinkron.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The summary line of the native etcd load tool ({@code benchmarks/src/main/go/etcd-put}): the
 * same closed loop as {@link ClosedLoop}, written in Go on etcd's own client library.
 */
record NativeResult(int clients, long ops, long errors, double seconds, double p50, double p99, double p999) {

    static final String PREFIX = "NATIVE ";

    static NativeResult parse(String line) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String field : line.substring(PREFIX.length()).split(" ")) {
            int eq = field.indexOf('=');
            fields.put(field.substring(0, eq), field.substring(eq + 1));
        }
        return new NativeResult(
                Integer.parseInt(fields.get("clients")),
                Long.parseLong(fields.get("ops")),
                Long.parseLong(fields.get("errors")),
                Double.parseDouble(fields.get("seconds")),
                Double.parseDouble(fields.get("p50_ms")),
                Double.parseDouble(fields.get("p99_ms")),
                Double.parseDouble(fields.get("p999_ms")));
    }

    Measurement toMeasurement(double serverCpuSeconds, double generatorCpuSeconds, Cluster.DiskStats leaderDisk) {
        return new Measurement(
                "etcd",
                "native Go clientv3",
                1,
                clients,
                ops,
                errors,
                ops / seconds,
                p50,
                p99,
                p999,
                serverCpuSeconds,
                generatorCpuSeconds,
                leaderDisk);
    }
}
