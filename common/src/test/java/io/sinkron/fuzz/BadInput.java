package io.sinkron.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Generators of bad input for Sinkron's REST endpoints. Each generated value is bad by
 * construction, given what the caller says is acceptable, so that the only right answer is a
 * 4xx problem detail with no change of state.
 */
public final class BadInput {

    /** Texts that make trouble as ids: separators, controls, unicode, URL and JSON syntax, length. */
    private static final List<String> TROUBLE = List.of(
            "",
            " ",
            "\t",
            "a b",
            "a?b",
            "a#b",
            "a%b",
            "a;b",
            "a,b",
            "a\\b",
            "a\"b",
            "a'b",
            "a<b>",
            "<script>alert(1)</script>",
            "${jndi:ldap://127.0.0.1/a}",
            "../../etc/passwd",
            "..",
            ".",
            "*",
            "null",
            "{}",
            "[]",
            "\u202Eevil",
            "zero\u200Bwidth",
            "\uFEFFbom",
            "e\u0301",
            "ключ",
            "键",
            "🔒lock",
            "\uFFFF",
            "\uD800",
            "\uDC00x",
            "id\u0000",
            "\u0000",
            "\u007F",
            "\u0085",
            "line\u2028sep",
            "x".repeat(129),
            "x".repeat(257),
            "y".repeat(5_000));

    /** Percent-encodings no UTF-8 text has, or that name path syntax. */
    private static final List<String> ODD_ESCAPES =
            List.of("%", "%zz", "%4", "%C0%AF", "%ED%A0%80", "%FF", "%FE%FF", "%00", "%2F", "%5C", "%2E%2E", "a%");

    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH");

    /** Stands in a JSON string for bytes that are not UTF-8, until they replace it. */
    private static final String MARKER = "@@not-utf-8@@";

    private BadInput() {}

    /** A value as the server receives it: {@code wire} on the wire, {@code text} after decoding (null: undecodable). */
    public record Wire(String wire, String text) {}

    /** A request body and what kind of bad it is. */
    public record BadBody(String category, byte[] bytes) {}

    /** A whole request and what kind of bad it is. */
    public record BadRequest(String category, RawRequest request) {
        @Override
        public String toString() {
            return category + ":\n" + request;
        }
    }

    /** A JSON literal and what kind of value it is. */
    record Literal(String category, String text) {}

    /** Texts (decoded) that are trouble as ids; callers filter out those their grammar accepts. */
    public static Arbitrary<String> troubleTexts() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of(TROUBLE)),
                Tuple.of(3, controlCharacters().map(c -> "id" + c + "x")),
                Tuple.of(2, Arbitraries.strings().all().ofMinLength(1).ofMaxLength(24)),
                Tuple.of(
                        1,
                        Arbitraries.strings()
                                .alpha()
                                .ofMinLength(1)
                                .ofMaxLength(8)
                                .map(s -> s + " " + s)),
                Tuple.of(1, Arbitraries.integers().between(129, 4_000).map("z"::repeat)));
    }

    /**
     * Path segments whose decoded text {@code valid} refuses, or that are the dot segments "." and
     * "..", which clients resolve away (RFC 3986 5.2.4) so no API can take them as ids: trouble
     * texts percent-encoded as a client should, sent raw as a careless client would, and escapes
     * that decode to no text. Raw texts hold no CR or LF, which would end the request line and make
     * a different (HTTP/0.9) request rather than a bad one, nor the characters that end a path.
     */
    public static Arbitrary<Wire> pathSegments(Predicate<String> valid) {
        Arbitrary<Wire> encoded = troubleTexts().map(t -> wire(percentEncode(t)));
        Arbitrary<Wire> raw = troubleTexts()
                .filter(t -> !t.isEmpty() && t.chars().noneMatch(c -> "/?#\r\n".indexOf(c) >= 0))
                .map(t -> new Wire(t, t));
        Arbitrary<Wire> odd = Arbitraries.of(ODD_ESCAPES).map(BadInput::wire);
        return Arbitraries.frequencyOf(Tuple.of(5, encoded), Tuple.of(2, raw), Tuple.of(2, odd))
                .filter(w -> w.text() == null || !valid.test(w.text()) || isDotSegment(w.text()));
    }

    /** Query parameter values {@code valid} refuses, encoded like {@link #pathSegments}. */
    public static Arbitrary<Wire> queryValues(Predicate<String> valid) {
        Arbitrary<Wire> encoded = troubleTexts().map(t -> wire(percentEncode(t)));
        Arbitrary<Wire> odd = Arbitraries.of(ODD_ESCAPES).map(BadInput::wire);
        return Arbitraries.frequencyOf(Tuple.of(5, encoded), Tuple.of(1, odd))
                .filter(w -> w.text() == null || !valid.test(w.text()));
    }

    /**
     * Header values {@code valid} refuses, sent as UTF-8 bytes. No CR or LF, which would end the
     * header and make a different request rather than a bad one.
     */
    public static Arbitrary<String> headerValues(Predicate<String> valid) {
        return troubleTexts()
                .filter(t -> t.indexOf('\r') < 0 && t.indexOf('\n') < 0)
                .filter(t -> !valid.test(asReceived(t)));
    }

    /**
     * A header value as the server sees it: the bytes read as ISO-8859-1 (RFC 9110 5.5), without
     * the spaces and tabs around it.
     */
    private static String asReceived(String headerValue) {
        String latin1 = new String(headerValue.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        return latin1.replaceAll("^[ \t]+|[ \t]+$", "");
    }

    /** Standard methods other than {@code allowed}. */
    public static Arbitrary<String> otherMethods(Set<String> allowed) {
        return Arbitraries.of(METHODS.stream().filter(m -> !allowed.contains(m)).toList());
    }

    /**
     * Content-Type headers that are not JSON, not a media type at all, or JSON in a charset that
     * does not exist; null sends none.
     */
    public static Arbitrary<String> wrongContentTypes() {
        return Arbitraries.of(
                        "text/plain",
                        "text/html; charset=utf-8",
                        "application/xml",
                        "application/x-www-form-urlencoded",
                        "multipart/form-data",
                        "multipart/form-data; boundary=x",
                        "application/octet-stream",
                        "image/png",
                        "application/json; charset=bogus-9",
                        "application/json; charset=\"",
                        "application/json, text/plain",
                        "application/",
                        "/json",
                        "json",
                        "",
                        "a".repeat(300))
                .injectNull(0.1);
    }

    /** Accept headers no endpoint can satisfy: every Sinkron answer is JSON. */
    public static Arbitrary<String> unacceptableAccepts() {
        return Arbitraries.of(
                "application/xml",
                "text/html",
                "text/plain",
                "image/png",
                "application/octet-stream",
                "text/csv, application/xml;q=0.9",
                "application/",
                "/",
                "garbage");
    }

    /**
     * Requests that break HTTP/1.1 syntax or framing (RFC 9112) around a request the endpoint
     * accepts: {@code method path} with the JSON body {@code json}.
     */
    public static List<BadRequest> protocolAbuses(String method, String path, String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String length = Integer.toString(body.length);
        RawRequest base = RawRequest.of(method, path).header("Content-Type", "application/json");
        String chunk = Integer.toHexString(body.length) + "\r\n" + json + "\r\n";
        return List.of(
                new BadRequest(
                        "body shorter than its Content-Length",
                        base.header("Content-Length", Integer.toString(body.length + 10))
                                .body(body)
                                .endingInput()),
                new BadRequest(
                        "body longer than its Content-Length",
                        base.header("Content-Length", Integer.toString(body.length / 2))
                                .body(body)),
                new BadRequest(
                        "Content-Length not a number",
                        base.header("Content-Length", "abc").body(body)),
                new BadRequest(
                        "negative Content-Length",
                        base.header("Content-Length", "-1").body(body)),
                new BadRequest(
                        "Content-Length beyond 64 bits",
                        base.header("Content-Length", "99999999999999999999").body(body)),
                new BadRequest(
                        "two different Content-Lengths",
                        base.header("Content-Length", length)
                                .header("Content-Length", Integer.toString(body.length + 1))
                                .body(body)),
                new BadRequest(
                        "malformed chunk size",
                        base.header("Transfer-Encoding", "chunked")
                                .body(("zz\r\n" + json + "\r\n0\r\n\r\n").getBytes(StandardCharsets.UTF_8))),
                new BadRequest(
                        "chunk longer than its data",
                        base.header("Transfer-Encoding", "chunked")
                                .body(("1000\r\n" + json + "\r\n").getBytes(StandardCharsets.UTF_8))
                                .endingInput()),
                new BadRequest(
                        "chunked body without its last chunk",
                        base.header("Transfer-Encoding", "chunked")
                                .body(chunk.getBytes(StandardCharsets.UTF_8))
                                .endingInput()),
                new BadRequest(
                        "header block too large",
                        base.header("X-Padding", "p".repeat(70_000)).body(body)),
                new BadRequest(
                        "space in a header name", base.header("Bad Header", "x").body(body)),
                new BadRequest(
                        "control character in a header",
                        base.header("X-Test", "a\u0001b").body(body)),
                new BadRequest("non-ASCII header name", base.header("Ключ", "x").body(body)),
                new BadRequest(
                        "invalid method token",
                        RawRequest.of("GE(T", path)
                                .header("Content-Type", "application/json")
                                .body(body)),
                new BadRequest(
                        "unknown method",
                        RawRequest.of("FROB", path)
                                .header("Content-Type", "application/json")
                                .body(body)),
                new BadRequest("TRACE", RawRequest.of("TRACE", path)),
                new BadRequest(
                        "request target without a leading slash",
                        RawRequest.of(method, path.substring(1))
                                .header("Content-Type", "application/json")
                                .body(body)),
                new BadRequest(
                        "fragment in the request target",
                        RawRequest.of(method, path + "#fragment")
                                .header("Content-Type", "application/json")
                                .body(body)));
    }

    /** Bodies {@code body} refuses, of every kind of bad this class knows. */
    public static Arbitrary<BadBody> bodies(JsonBody body) {
        List<Tuple.Tuple2<Integer, Arbitrary<? extends BadBody>>> kinds = new ArrayList<>();
        kinds.add(Tuple.of(3, truncated(body)));
        kinds.add(Tuple.of(2, malformed(body)));
        kinds.add(Tuple.of(1, notAnObject(body)));
        kinds.add(Tuple.of(6, wrongValues(body)));
        kinds.add(Tuple.of(3, unknownFields(body)));
        kinds.add(Tuple.of(2, invalidUtf8(body)));
        if (body.fields().stream().anyMatch(JsonField::required)) {
            kinds.add(Tuple.of(2, missingRequired(body)));
        }
        if (body.maxBytes() != null) {
            kinds.add(Tuple.of(1, oversized(body)));
        }
        if (!body.optional()) {
            kinds.add(Tuple.of(1, Arbitraries.just(new BadBody("empty body", new byte[0]))));
        }
        return Arbitraries.frequencyOf(kinds.toArray(Tuple.Tuple2[]::new));
    }

    private static Arbitrary<BadBody> truncated(JsonBody body) {
        String text = body.exampleJson();
        return Arbitraries.integers()
                .between(body.optional() ? 1 : 0, text.length() - 1)
                .map(n -> bad("truncated JSON", text.substring(0, n)));
    }

    private static Arbitrary<BadBody> malformed(JsonBody body) {
        String text = body.exampleJson();
        String inner = text.substring(1, text.length() - 1);
        List<String> broken = new ArrayList<>(List.of(
                "{" + inner + ",}",
                "{" + inner.replace('"', '\'') + "}",
                "{" + inner.replaceFirst(":", "") + "}",
                "{" + inner.replaceFirst(":", "=") + "}",
                "{/* comment */" + inner + "}",
                inner,
                "{" + inner,
                text + " x",
                text + text,
                text + "]",
                "{{" + inner + "}}",
                "{" + inner.replaceFirst("\"([^\"]*)\":", "$1:") + "}"));
        broken.removeIf(b -> JsonField.parse(b) != null);
        return Arbitraries.of(broken).map(b -> bad("malformed JSON", b));
    }

    private static Arbitrary<BadBody> notAnObject(JsonBody body) {
        List<String> values = new ArrayList<>(List.of("\"text\"", "42", "true"));
        if (!body.listsAccepted()) {
            values.addAll(List.of("[]", "[" + body.exampleJson() + "]"));
        }
        if (!body.optional()) {
            values.add("null");
        }
        return Arbitraries.of(values).map(v -> bad("not an object", v));
    }

    private static Arbitrary<BadBody> wrongValues(JsonBody body) {
        return Arbitraries.of(body.fields())
                .flatMap(field -> literals()
                        .filter(l -> !field.acceptsLiteral(l.text()))
                        .map(l -> bad(l.category(), body.render(with(body.example(), field.name(), l.text())))));
    }

    private static Arbitrary<BadBody> missingRequired(JsonBody body) {
        List<JsonField> required =
                body.fields().stream().filter(JsonField::required).toList();
        return Arbitraries.of(required).map(field -> {
            Map<String, String> fields = new LinkedHashMap<>(body.example());
            fields.remove(field.name());
            return bad("missing field", body.render(fields));
        });
    }

    private static Arbitrary<BadBody> unknownFields(JsonBody body) {
        Arbitrary<String> names = Arbitraries.oneOf(
                        Arbitraries.of(
                                "clientId",
                                "lockType",
                                "nodeId",
                                "messageId",
                                "x",
                                "",
                                " ",
                                "__proto__",
                                "@class",
                                "$type",
                                "ttl ",
                                "TTL",
                                "Value",
                                "extra"),
                        Arbitraries.strings().all().ofMinLength(1).ofMaxLength(12))
                .filter(name -> !body.knows(name));
        Arbitrary<String> values = Arbitraries.of("1", "\"x\"", "null", "{}", "[]", "true");
        return Combinators.combine(names, values)
                .as((name, value) -> bad("unknown field", body.render(with(body.example(), name, value))));
    }

    private static Arbitrary<BadBody> invalidUtf8(JsonBody body) {
        Arbitrary<byte[]> sequences = Arbitraries.of(
                new byte[] {(byte) 0xC3, 0x28},
                new byte[] {(byte) 0xFF},
                new byte[] {(byte) 0xC0, (byte) 0xAF},
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
                new byte[] {(byte) 0xE2, (byte) 0x82});
        return Combinators.combine(Arbitraries.of(body.fields()), sequences).as((field, sequence) -> {
            byte[] marked = body.render(with(body.example(), field.name(), JsonField.quote("a" + MARKER + "b")))
                    .getBytes(StandardCharsets.UTF_8);
            return new BadBody("invalid UTF-8", splice(marked, MARKER.getBytes(StandardCharsets.UTF_8), sequence));
        });
    }

    private static Arbitrary<BadBody> oversized(JsonBody body) {
        String text = body.exampleJson();
        return Arbitraries.longs()
                .between(body.maxBytes() + 1, body.maxBytes() * 4)
                .map(size -> {
                    int padding = (int) Math.max(0, size - text.length());
                    return bad("huge body", text.substring(0, text.length() - 1) + " ".repeat(padding) + "}");
                });
    }

    /** Values for a field, bad for most: wrong JSON types, extreme numbers, hostile and huge strings. */
    static Arbitrary<Literal> literals() {
        Arbitrary<Literal> wrongTypes = Arbitraries.of(
                        "true",
                        "false",
                        "null",
                        "[]",
                        "{}",
                        "[1]",
                        "{\"a\":1}",
                        "\"\"",
                        "\"x\"",
                        "\"exclusive\"",
                        "\"5\"",
                        "\"true\"",
                        "0",
                        "1",
                        "42")
                .map(t -> new Literal("wrong type", t));
        Arbitrary<Literal> numbers = Arbitraries.of(
                        "9223372036854775807",
                        "9223372036854775808",
                        "-9223372036854775808",
                        "-9223372036854775809",
                        "18446744073709551616",
                        "2147483647",
                        "2147483648",
                        "-2147483649",
                        "-1",
                        "-0",
                        "1e309",
                        "-1e309",
                        "1e-400",
                        "1.5",
                        "0.0",
                        "-0.0",
                        "1E3",
                        "100.0",
                        "123456789012345678901234567890",
                        "1" + "0".repeat(1_200),
                        "NaN",
                        "-Infinity",
                        "Infinity",
                        "+1",
                        "01",
                        "0x1F",
                        ".5",
                        "5.",
                        "1_000",
                        "\"NaN\"",
                        "\"Infinity\"",
                        "\"1e309\"",
                        "\"9223372036854775807\"")
                .map(t -> new Literal("extreme number", t));
        Arbitrary<Literal> strings = Arbitraries.oneOf(
                troubleTexts().map(t -> new Literal("hostile string", JsonField.quote(t))),
                Arbitraries.of("\"\\x41\"", "\"\\u12\"", "\"\\ud800\"", "\"\\", "\"a\u0000b\"", "\"tab\there\"")
                        .map(t -> new Literal("hostile string", t)));
        Arbitrary<Literal> huge = Arbitraries.oneOf(
                Arbitraries.integers()
                        .between(100_000, 2_000_000)
                        .map(n -> new Literal("huge value", "\"" + "h".repeat(n) + "\"")),
                Arbitraries.just(new Literal("deep nesting", "[".repeat(5_000) + "]".repeat(5_000))));
        return Arbitraries.frequencyOf(
                Tuple.of(4, wrongTypes), Tuple.of(5, numbers), Tuple.of(4, strings), Tuple.of(1, huge));
    }

    private static Arbitrary<Character> controlCharacters() {
        return Arbitraries.oneOf(
                Arbitraries.chars().range('\u0000', '\u001F'),
                Arbitraries.just('\u007F'),
                Arbitraries.chars().range('\u0080', '\u009F'));
    }

    private static boolean isDotSegment(String text) {
        return text.equals(".") || text.equals("..");
    }

    private static Map<String, String> with(Map<String, String> fields, String name, String literal) {
        Map<String, String> changed = new LinkedHashMap<>(fields);
        changed.put(name, literal);
        return changed;
    }

    private static BadBody bad(String category, String text) {
        return new BadBody(category, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The encoding a careful client uses: UTF-8, every byte outside RFC 3986's unreserved set escaped. */
    public static String percentEncode(String text) {
        var out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(String.format("%02X", c));
            }
        }
        return out.toString();
    }

    /** The wire text with the text it decodes to under strict UTF-8, or none. */
    private static Wire wire(String wire) {
        var bytes = new ByteArrayOutputStream();
        for (int i = 0; i < wire.length(); i++) {
            char c = wire.charAt(i);
            if (c != '%') {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            if (i + 2 >= wire.length()) {
                return new Wire(wire, null);
            }
            int high = Character.digit(wire.charAt(i + 1), 16);
            int low = Character.digit(wire.charAt(i + 2), 16);
            if (high < 0 || low < 0) {
                return new Wire(wire, null);
            }
            bytes.write(high * 16 + low);
            i += 2;
        }
        try {
            String text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
            return new Wire(wire, text);
        } catch (CharacterCodingException e) {
            return new Wire(wire, null);
        }
    }

    private static byte[] splice(byte[] bytes, byte[] marker, byte[] replacement) {
        for (int i = 0; i <= bytes.length - marker.length; i++) {
            boolean match = true;
            for (int j = 0; j < marker.length && match; j++) {
                match = bytes[i + j] == marker[j];
            }
            if (match) {
                var out = new ByteArrayOutputStream();
                out.write(bytes, 0, i);
                out.writeBytes(replacement);
                out.write(bytes, i + marker.length, bytes.length - i - marker.length);
                return out.toByteArray();
            }
        }
        throw new IllegalArgumentException("marker not found");
    }
}
