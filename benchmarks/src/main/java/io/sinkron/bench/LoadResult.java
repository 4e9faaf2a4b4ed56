package io.sinkron.bench;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * What one measured phase of a closed loop produced: completed puts and their latencies
 * (nanoseconds). A generator process prints it as one line that the orchestrating process parses
 * back, histogram included, so that results of concurrent generator processes merge exactly.
 */
record LoadResult(String target, int clients, long errors, double seconds, Histogram latencies) {

    static final String PREFIX = "RESULT ";

    long ops() {
        return latencies.getTotalCount();
    }

    double throughput() {
        return ops() / seconds;
    }

    double percentileMillis(double percentile) {
        return latencies.getValueAtPercentile(percentile) / 1e6;
    }

    /**
     * Results of generator processes that ran side by side: their rates add up, their latency
     * distributions merge.
     */
    static LoadResult concurrent(List<LoadResult> parts) {
        Histogram merged = new Histogram(parts.getFirst().latencies().getNumberOfSignificantValueDigits());
        double throughput = 0;
        long errors = 0;
        int clients = 0;
        for (LoadResult p : parts) {
            merged.add(p.latencies());
            throughput += p.throughput();
            errors += p.errors();
            clients += p.clients();
        }
        // The seconds that make the summed rate come out of the merged count.
        double seconds = merged.getTotalCount() / throughput;
        return new LoadResult(parts.getFirst().target(), clients, errors, seconds, merged);
    }

    String toLine() {
        ByteBuffer buffer = ByteBuffer.allocate(latencies.getNeededByteBufferCapacity());
        int length = latencies.encodeIntoCompressedByteBuffer(buffer);
        byte[] encoded = new byte[length];
        buffer.flip().get(encoded);
        return PREFIX + "target=" + target + " clients=" + clients + " errors=" + errors + " seconds=" + seconds
                + " histogram="
                + Base64.getEncoder().encodeToString(encoded);
    }

    static LoadResult parse(String line) {
        if (!line.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a result line: " + line);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String field : line.substring(PREFIX.length()).split(" ")) {
            int eq = field.indexOf('=');
            fields.put(field.substring(0, eq), field.substring(eq + 1));
        }
        try {
            Histogram histogram = Histogram.decodeFromCompressedByteBuffer(
                    ByteBuffer.wrap(Base64.getDecoder().decode(fields.get("histogram"))), 0);
            return new LoadResult(
                    fields.get("target"),
                    Integer.parseInt(fields.get("clients")),
                    Long.parseLong(fields.get("errors")),
                    Double.parseDouble(fields.get("seconds")),
                    histogram);
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("corrupt histogram in result line", e);
        }
    }
}
