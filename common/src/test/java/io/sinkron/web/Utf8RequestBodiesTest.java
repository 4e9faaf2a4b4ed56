package io.sinkron.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The well-formed byte sequences of Unicode's Table 3-7 pass; everything else is refused. */
class Utf8RequestBodiesTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "7b7d", // {}
                "c2a9", // ©, the first two-byte lead
                "dfbf", // U+07FF
                "e0a080", // U+0800, the first three-byte form that is not overlong
                "e282ac", // €
                "ed9fbf", // U+D7FF, just below the surrogates
                "ee8080", // U+E000, just above them
                "efbfbf", // U+FFFF
                "f0908080", // U+10000
                "f09d849e", // 𝄞
                "f48fbfbf" // U+10FFFF, the last code point
            })
    void when_a_body_is_well_formed_utf8_then_it_reads_through_unchanged(String hex) throws Exception {
        byte[] body = HexFormat.of().parseHex(hex);

        assertThat(readThroughFilter(body)).isEqualTo(body);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "c0af", // overlong "/"
                "c0b1", // overlong "1"
                "c181", // overlong "A"
                "e080af", // overlong three-byte "/"
                "eda080", // a surrogate
                "f08080af", // overlong four-byte "/"
                "f4908080", // beyond U+10FFFF
                "f5808080", // no such lead byte
                "ff",
                "80", // a continuation byte without a lead
                "c328", // a lead byte without its continuation
                "e282" // a sequence cut off by the end of the body
            })
    void when_a_body_is_not_well_formed_utf8_then_reading_it_fails(String hex) {
        byte[] body = HexFormat.of().parseHex("7b2261223a22" + hex);

        assertThatThrownBy(() -> readThroughFilter(body)).isInstanceOf(Utf8RequestBodies.NotUtf8.class);
    }

    /** The body as the application behind the filter reads it, one byte at a time and then in bulk. */
    private static byte[] readThroughFilter(byte[] body) throws Exception {
        var seen = new AtomicReference<ServletRequest>();
        new Utf8RequestBodies().doFilter(requestWithBody(body), null, (request, response) -> seen.set(request));
        try (InputStream in = seen.get().getInputStream()) {
            int first = in.read();
            byte[] rest = in.readAllBytes();
            byte[] all = new byte[rest.length + 1];
            all[0] = (byte) first;
            System.arraycopy(rest, 0, all, 1, rest.length);
            return all;
        }
    }

    /** A request whose only working part is its body. */
    private static HttpServletRequest requestWithBody(byte[] body) {
        var bytes = new ByteArrayInputStream(body);
        var stream = new ServletInputStream() {
            @Override
            public int read() {
                return bytes.read();
            }

            @Override
            public boolean isFinished() {
                return bytes.available() == 0;
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setReadListener(ReadListener listener) {
                throw new UnsupportedOperationException();
            }
        };
        return (HttpServletRequest) Proxy.newProxyInstance(
                Utf8RequestBodiesTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getInputStream")) {
                        return stream;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
