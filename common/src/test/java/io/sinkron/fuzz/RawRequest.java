package io.sinkron.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.1 request exactly as it goes over the wire: the request target and header values are
 * written as given (UTF-8), so they may hold what no well-behaved client would send. A
 * Content-Length of the body's true size is added unless the headers frame the body themselves.
 *
 * @param endsInput whether the client stops sending after the body (half-closes the connection),
 *     as a client whose body falls short of what it announced eventually does
 */
public record RawRequest(
        String method, String target, List<Map.Entry<String, String>> headers, byte[] body, boolean endsInput) {

    public RawRequest {
        headers = List.copyOf(headers);
    }

    public static RawRequest of(String method, String target) {
        return new RawRequest(method, target, List.of(), new byte[0], false);
    }

    public RawRequest header(String name, String value) {
        var more = new ArrayList<>(headers);
        more.add(Map.entry(name, value));
        return new RawRequest(method, target, more, body, endsInput);
    }

    public RawRequest json(String json) {
        return header("Content-Type", "application/json").body(json.getBytes(StandardCharsets.UTF_8));
    }

    public RawRequest body(byte[] bytes) {
        return new RawRequest(method, target, headers, bytes, endsInput);
    }

    public RawRequest endingInput() {
        return new RawRequest(method, target, headers, body, true);
    }

    /** Whether the headers say how long the body is, rather than leaving it to the client. */
    boolean framesItsBody() {
        return headers.stream()
                .map(h -> h.getKey().toLowerCase(Locale.ROOT))
                .anyMatch(name -> name.equals("content-length") || name.equals("transfer-encoding"));
    }

    /** How jqwik shows a falsified request: the request line, headers and at most 300 bytes of body. */
    @Override
    public String toString() {
        var text = new StringBuilder(method).append(' ').append(escape(target)).append('\n');
        headers.forEach(h -> text.append(h.getKey())
                .append(": ")
                .append(escape(h.getValue()))
                .append('\n'));
        if (endsInput) {
            text.append("(then the client ends its input)\n");
        }
        String shown = new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
        text.append(escape(shown));
        if (body.length > 300) {
            text.append("... (").append(body.length).append(" bytes)");
        }
        return text.toString();
    }

    private static String escape(String s) {
        var out = new StringBuilder();
        s.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
