package io.sinkron.web;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;

/**
 * Refuses request bodies that are not well-formed UTF-8, which JSON must be (RFC 8259 8.1), as
 * they are read. Jackson decodes leniently: it takes overlong encodings, so {@code C0 AF} would
 * reach a service as "/" and {@code C0 B1} as "1", and a stored message or cached value would come
 * back as bytes its writer never sent. The reader of the body fails with a {@link NotUtf8}, which
 * the services answer as unreadable input (400).
 */
public final class Utf8RequestBodies implements Filter {

    /** What reading a body that is not well-formed UTF-8 fails with. */
    public static final class NotUtf8 extends CharacterCodingException {

        private final long offset;

        NotUtf8(long offset) {
            this.offset = offset;
        }

        @Override
        public String getMessage() {
            return "the request body is not well-formed UTF-8 at byte " + offset;
        }
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        chain.doFilter(request instanceof HttpServletRequest http ? new Checked(http) : request, response);
    }

    private static final class Checked extends HttpServletRequestWrapper {

        Checked(HttpServletRequest request) {
            super(request);
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            return new Utf8CheckingStream(super.getInputStream());
        }
    }

    /** Passes bytes through while they follow the well-formed sequences of Unicode's Table 3-7. */
    private static final class Utf8CheckingStream extends ServletInputStream {

        private final ServletInputStream in;
        /** Continuation bytes still expected in the current sequence. */
        private int remaining;
        /** The range the next continuation byte must be in; narrower than 80..BF after some lead bytes. */
        private int low = 0x80;

        private int high = 0xBF;
        private long offset;

        Utf8CheckingStream(ServletInputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b < 0) {
                end();
            } else {
                check(b);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int from, int length) throws IOException {
            int n = in.read(buffer, from, length);
            if (n < 0) {
                end();
            }
            for (int i = 0; i < n; i++) {
                check(buffer[from + i] & 0xFF);
            }
            return n;
        }

        private void check(int b) throws NotUtf8 {
            if (remaining > 0) {
                if (b < low || b > high) {
                    throw malformed();
                }
                remaining--;
                low = 0x80;
                high = 0xBF;
            } else if (b >= 0x80) {
                lead(b);
            }
            offset++;
        }

        private void lead(int b) throws NotUtf8 {
            if (b >= 0xC2 && b <= 0xDF) {
                remaining = 1;
            } else if (b >= 0xE0 && b <= 0xEF) {
                remaining = 2;
                if (b == 0xE0) {
                    low = 0xA0; // no overlong three-byte forms
                } else if (b == 0xED) {
                    high = 0x9F; // no surrogates
                }
            } else if (b >= 0xF0 && b <= 0xF4) {
                remaining = 3;
                if (b == 0xF0) {
                    low = 0x90; // no overlong four-byte forms
                } else if (b == 0xF4) {
                    high = 0x8F; // nothing beyond U+10FFFF
                }
            } else {
                throw malformed();
            }
        }

        private void end() throws NotUtf8 {
            if (remaining > 0) {
                throw malformed();
            }
        }

        private NotUtf8 malformed() {
            return new NotUtf8(offset);
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }
}
