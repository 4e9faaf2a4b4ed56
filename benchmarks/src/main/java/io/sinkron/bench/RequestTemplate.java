package io.sinkron.bench;

import java.nio.charset.StandardCharsets;

/**
 * An HTTP/1.1 request of one endpoint with {@code {name}} placeholders in its path and JSON body,
 * rendered to the bytes {@link HttpConnection} writes. Rendering is a few string replacements, so a
 * client renders its request afresh for each operation when its key or id changes, and once when
 * it does not.
 */
record RequestTemplate(String method, String path, String body) {

    static RequestTemplate get(String path) {
        return new RequestTemplate("GET", path, null);
    }

    static RequestTemplate delete(String path) {
        return new RequestTemplate("DELETE", path, null);
    }

    static RequestTemplate post(String path, String body) {
        return new RequestTemplate("POST", path, body);
    }

    static RequestTemplate put(String path, String body) {
        return new RequestTemplate("PUT", path, body);
    }

    /** @param nameValues placeholder names (without braces) and their values, alternating */
    byte[] render(String authority, String... nameValues) {
        String p = fill(path, nameValues);
        var request = new StringBuilder(256)
                .append(method)
                .append(' ')
                .append(p)
                .append(" HTTP/1.1\r\nHost: ")
                .append(authority)
                .append("\r\nAccept: application/json, application/problem+json\r\n");
        if (body == null) {
            request.append("\r\n");
            return request.toString().getBytes(StandardCharsets.UTF_8);
        }
        byte[] content = fill(body, nameValues).getBytes(StandardCharsets.UTF_8);
        request.append("Content-Type: application/json\r\nContent-Length: ")
                .append(content.length)
                .append("\r\n\r\n");
        byte[] head = request.toString().getBytes(StandardCharsets.UTF_8);
        byte[] whole = new byte[head.length + content.length];
        System.arraycopy(head, 0, whole, 0, head.length);
        System.arraycopy(content, 0, whole, head.length, content.length);
        return whole;
    }

    private static String fill(String text, String[] nameValues) {
        if (nameValues.length % 2 != 0) {
            throw new IllegalArgumentException("placeholder names and values must alternate");
        }
        String filled = text;
        for (int i = 0; i < nameValues.length; i += 2) {
            filled = filled.replace("{" + nameValues[i] + "}", nameValues[i + 1]);
        }
        return filled;
    }
}
