package io.sinkron.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The load's incremental HTTP/1.1 response parser, fed the way a non-blocking socket delivers bytes. */
class HttpResponseParserTest {

    private static final String LENGTH =
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"a\":\"one\"}";
    private static final String CHUNKED = "HTTP/1.1 201 Created\r\ntransfer-encoding: Chunked\r\n\r\n"
            + "4;ext=1\r\n{\"a\"\r\n6\r\n:\"two\"\r\n1\r\n}\r\n0\r\nTrailer: x\r\n\r\n";
    private static final String EMPTY = "HTTP/1.1 204 No Content\r\nX-Cache-State: S\r\n\r\n";
    private static final String CLOSING = "HTTP/1.1 409 Conflict\r\nConnection: close\r\nContent-Length: 3\r\n\r\nno!";

    /** What one parsed response looked like. */
    private record Parsed(int status, String body, boolean closeAfter) {}

    /**
     * Feeds {@code wire} in pieces as a connection's buffer receives them: consumed bytes are
     * dropped, an incomplete line stays and more is appended, every complete response is taken.
     */
    private static List<Parsed> feed(String wire, int[] pieces) throws IOException {
        byte[] bytes = wire.getBytes(StandardCharsets.UTF_8);
        var parser = new HttpResponseParser();
        List<Parsed> parsed = new ArrayList<>();
        byte[] buffer = new byte[bytes.length];
        int position = 0;
        int limit = 0;
        int offered = 0;
        for (int piece : pieces) {
            int n = Math.min(piece, bytes.length - offered);
            System.arraycopy(bytes, offered, buffer, limit, n);
            offered += n;
            limit += n;
            while (true) {
                position += parser.parse(buffer, position, limit);
                if (!parser.complete()) {
                    break;
                }
                parsed.add(new Parsed(parser.status(), parser.body(), parser.closeAfter()));
                parser.reset();
            }
        }
        assertThat(offered).as("every byte offered").isEqualTo(bytes.length);
        assertThat(position).as("every byte consumed").isEqualTo(limit);
        return parsed;
    }

    private static int[] whole(String wire) {
        return new int[] {wire.getBytes(StandardCharsets.UTF_8).length};
    }

    @Test
    void when_responses_arrive_whole_then_status_body_and_close_are_read() throws Exception {
        assertThat(feed(LENGTH, whole(LENGTH))).containsExactly(new Parsed(200, "{\"a\":\"one\"}", false));
        assertThat(feed(CHUNKED, whole(CHUNKED))).containsExactly(new Parsed(201, "{\"a\":\"two\"}", false));
        assertThat(feed(EMPTY, whole(EMPTY))).containsExactly(new Parsed(204, "", false));
        assertThat(feed(CLOSING, whole(CLOSING))).containsExactly(new Parsed(409, "no!", true));
    }

    @Test
    void when_a_response_is_split_at_any_byte_then_it_parses_the_same() throws Exception {
        for (String wire : List.of(LENGTH, CHUNKED, EMPTY, CLOSING)) {
            List<Parsed> expected = feed(wire, whole(wire));
            int length = wire.getBytes(StandardCharsets.UTF_8).length;
            for (int split = 1; split < length; split++) {
                assertThat(feed(wire, new int[] {split, length - split}))
                        .as("split after byte %d of %s", split, wire)
                        .isEqualTo(expected);
            }
            int[] ones = new int[length];
            java.util.Arrays.fill(ones, 1);
            assertThat(feed(wire, ones)).as("byte by byte").isEqualTo(expected);
        }
    }

    @Test
    void when_responses_are_pipelined_then_each_is_taken_in_order_from_random_pieces() throws Exception {
        String wire = LENGTH + CHUNKED + EMPTY + LENGTH + CLOSING;
        List<Parsed> expected = new ArrayList<>();
        for (String one : List.of(LENGTH, CHUNKED, EMPTY, LENGTH, CLOSING)) {
            expected.addAll(feed(one, whole(one)));
        }
        long seed = new SplittableRandom().nextLong();
        var random = new SplittableRandom(seed);
        for (int round = 0; round < 200; round++) {
            int[] pieces = new int[wire.length()];
            for (int i = 0; i < pieces.length; i++) {
                pieces[i] = 1 + random.nextInt(40);
            }
            assertThat(feed(wire, pieces)).as("seed %d, round %d", seed, round).isEqualTo(expected);
        }
    }

    @Test
    void when_a_response_has_no_length_then_its_body_runs_until_the_connection_closes() throws Exception {
        var parser = new HttpResponseParser();
        byte[] head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = " it".getBytes(StandardCharsets.US_ASCII);

        assertThat(parser.parse(head, 0, head.length)).isEqualTo(head.length);
        assertThat(parser.parse(tail, 0, tail.length)).isEqualTo(tail.length);
        assertThat(parser.complete()).isFalse();
        parser.endOfStream();

        assertThat(parser.complete()).isTrue();
        assertThat(parser.body()).isEqualTo("all of it");
        assertThat(parser.closeAfter()).isTrue();
    }

    @Test
    void when_the_connection_closes_inside_a_response_then_end_of_stream_fails() throws Exception {
        var parser = new HttpResponseParser();
        byte[] partial = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".getBytes(StandardCharsets.US_ASCII);
        parser.parse(partial, 0, partial.length);

        assertThatThrownBy(parser::endOfStream).isInstanceOf(EOFException.class).hasMessageContaining("inside");
        assertThatThrownBy(new HttpResponseParser()::endOfStream)
                .isInstanceOf(EOFException.class)
                .hasMessageContaining("closed by the server");
    }

    @Test
    void when_the_bytes_are_not_http_then_parsing_fails() {
        for (String bad : List.of(
                "garbage\r\n\r\n",
                "HTTP/1.1 2x0 OK\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n")) {
            byte[] bytes = bad.getBytes(StandardCharsets.US_ASCII);
            assertThatThrownBy(() -> new HttpResponseParser().parse(bytes, 0, bytes.length))
                    .as(bad)
                    .isInstanceOf(IOException.class);
        }
    }

    @Test
    void when_a_line_never_ends_then_parsing_fails_instead_of_buffering_without_bound() {
        byte[] endless = ("HTTP/1.1 200 OK\r\nX-Long: " + "a".repeat(HttpResponseParser.MAX_LINE + 1))
                .getBytes(StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> {
                    var parser = new HttpResponseParser();
                    int consumed = parser.parse(endless, 0, endless.length);
                    parser.parse(endless, consumed, endless.length);
                })
                .isInstanceOf(IOException.class)
                .hasMessageContaining("longer than");
    }
}
