package io.sinkron.client;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * The gRPC address of a consensus node, {@code host:port}.
 *
 * <p>IPv6 literals are written in brackets ({@code [::1]:7000}); {@link #toString()} gives back the
 * same form, which is also the form nodes use in {@code LeaderHint.address}.
 */
public record NodeAddress(String host, int port) {

    public NodeAddress {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be in 1..65535, got " + port);
        }
    }

    /**
     * Parses {@code host:port} (or {@code [ipv6]:port}).
     *
     * @throws IllegalArgumentException if the text is not of that form or the port is not a number
     *     in 1..65535
     */
    public static NodeAddress parse(String text) {
        Objects.requireNonNull(text, "text");
        String trimmed = text.strip();
        int colon = trimmed.lastIndexOf(':');
        if (colon <= 0 || colon == trimmed.length() - 1) {
            throw new IllegalArgumentException("expected host:port, got '" + text + "'");
        }
        String host = trimmed.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("IPv6 hosts must be bracketed ([::1]:7000), got '" + text + "'");
        }
        int port;
        try {
            port = Integer.parseInt(trimmed.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port of '" + text + "' is not a number", e);
        }
        try {
            return new NodeAddress(host, port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid address '" + text + "': " + e.getMessage(), e);
        }
    }

    /**
     * Parses a comma-separated list such as {@code "h1:7000,h2:7000"}; whitespace around entries is
     * ignored.
     *
     * @throws IllegalArgumentException if the list is empty, an entry is empty or malformed, or an
     *     address appears twice
     */
    public static List<NodeAddress> parseList(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isBlank()) {
            throw new IllegalArgumentException("address list is empty");
        }
        List<NodeAddress> addresses = new ArrayList<>();
        for (String entry : text.split(",", -1)) {
            if (entry.isBlank()) {
                throw new IllegalArgumentException("empty entry in address list '" + text + "'");
            }
            addresses.add(parse(entry));
        }
        if (new LinkedHashSet<>(addresses).size() != addresses.size()) {
            throw new IllegalArgumentException("duplicate address in '" + text + "'");
        }
        return List.copyOf(addresses);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
