package io.sinkron.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The load's incremental RESP2 reply parser, fed the way a non-blocking socket delivers bytes. */
class RespReplyParserTest {

    private static final String VALUE = "line one\r\nline two";
    private static final List<String> REPLIES = List.of(
            "+OK\r\n",
            "-ERR wrong type\r\n",
            ":-42\r\n",
            "$" + VALUE.length() + "\r\n" + VALUE + "\r\n",
            "$-1\r\n",
            "*3\r\n$1\r\na\r\n*2\r\n:1\r\n*0\r\n+x\r\n",
            "*-1\r\n",
            "$0\r\n\r\n");
    private static final List<String> EXPECTED =
            List.of("+ OK", "- ERR wrong type", ": -42", "$ " + VALUE, "$ null", "* null", "* null", "$ ");

    private static List<String> feed(String wire, int[] pieces) throws IOException {
        byte[] bytes = wire.getBytes(StandardCharsets.UTF_8);
        var parser = new RespReplyParser();
        List<String> parsed = new ArrayList<>();
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
                parsed.add(parser.type() + " " + parser.text());
                parser.reset();
            }
        }
        assertThat(offered).isEqualTo(bytes.length);
        assertThat(position).isEqualTo(limit);
        return parsed;
    }

    @Test
    void when_replies_of_every_type_are_split_at_any_byte_then_each_parses_the_same() throws Exception {
        for (int r = 0; r < REPLIES.size(); r++) {
            String wire = REPLIES.get(r);
            int length = wire.getBytes(StandardCharsets.UTF_8).length;
            assertThat(feed(wire, new int[] {length})).containsExactly(EXPECTED.get(r));
            for (int split = 1; split < length; split++) {
                assertThat(feed(wire, new int[] {split, length - split}))
                        .as("split after byte %d of %s", split, wire)
                        .containsExactly(EXPECTED.get(r));
            }
        }
    }

    @Test
    void when_replies_are_pipelined_then_each_is_taken_in_order_from_random_pieces() throws Exception {
        String wire = String.join("", REPLIES);
        long seed = new SplittableRandom().nextLong();
        var random = new SplittableRandom(seed);
        for (int round = 0; round < 200; round++) {
            int[] pieces = new int[wire.length()];
            for (int i = 0; i < pieces.length; i++) {
                pieces[i] = 1 + random.nextInt(12);
            }
            assertThat(feed(wire, pieces)).as("seed %d, round %d", seed, round).isEqualTo(EXPECTED);
        }
        int[] ones = new int[wire.length()];
        Arrays.fill(ones, 1);
        assertThat(feed(wire, ones)).isEqualTo(EXPECTED);
    }

    @Test
    void when_the_bytes_are_not_resp_then_parsing_fails() {
        for (String bad : List.of("?what\r\n", "\r\n", ":12a\r\n", "$3\r\nabcd\r\n", "$-2\r\n", "*-5\r\n")) {
            byte[] bytes = bad.getBytes(StandardCharsets.US_ASCII);
            assertThatThrownBy(() -> new RespReplyParser().parse(bytes, 0, bytes.length))
                    .as(bad)
                    .isInstanceOf(IOException.class);
        }
    }

    @Test
    void when_the_connection_closes_inside_a_reply_then_end_of_stream_fails() throws Exception {
        var parser = new RespReplyParser();
        byte[] partial = "*2\r\n+a\r\n".getBytes(StandardCharsets.US_ASCII);
        parser.parse(partial, 0, partial.length);

        assertThat(parser.complete()).isFalse();
        assertThatThrownBy(parser::endOfStream).isInstanceOf(EOFException.class);
    }
}
