package io.sinkron.cache.web;

import io.sinkron.cache.CacheProperties;
import io.sinkron.cache.home.Precondition;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** Checks and converts what a REST request carries: keys, values, TTLs and If-Match. */
@Component
public class CacheRequests {

    /** The longest TTL accepted: ten years, far beyond any use, well inside log time's range. */
    public static final long MAX_TTL_MILLIS = 315_360_000_000L;

    private static final Pattern STRONG_VERSION_TAG = Pattern.compile("\"([0-9]{1,18})\"");

    private final CacheProperties properties;
    private final ObjectMapper json;

    public CacheRequests(CacheProperties properties, ObjectMapper json) {
        this.properties = properties;
        this.json = json;
    }

    /** Accepts 1 to {@code maxKeyLength} characters, none of them control characters, except "." and "..". */
    public String key(String key) {
        if (key == null || key.isEmpty()) {
            throw new InvalidRequestException("the key must not be empty");
        }
        if (key.codePointCount(0, key.length()) > properties.maxKeyLength()) {
            throw new InvalidRequestException("the key is longer than " + properties.maxKeyLength() + " characters");
        }
        if (key.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidRequestException("the key must not contain control characters");
        }
        if (key.equals(".") || key.equals("..")) {
            // Dot segments: clients and proxies resolve them away (RFC 3986 5.2.4), so such a key
            // could be written by some clients and never read by others.
            throw new InvalidRequestException("the key must not be . or ..");
        }
        return key;
    }

    /** The value as compact JSON text, at most {@code maxValueBytes} in UTF-8. */
    public String value(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            throw new InvalidRequestException("the body must have a \"value\"");
        }
        String text = json.writeValueAsString(value);
        int size = text.getBytes(StandardCharsets.UTF_8).length;
        if (size > properties.maxValueBytes()) {
            throw new PayloadTooLargeException(
                    "the value is " + size + " bytes of JSON, over the limit of " + properties.maxValueBytes(),
                    properties.maxValueBytes());
        }
        return text;
    }

    /** The TTL in milliseconds, 0 if absent; a present one must be an integer in 1..ten years. */
    public long ttl(JsonNode ttl) {
        if (ttl == null || ttl.isNull() || ttl.isMissingNode()) {
            return 0;
        }
        if (!ttl.isIntegralNumber() || !ttl.canConvertToLong()) {
            throw new InvalidRequestException("\"ttl\" must be a whole number of milliseconds");
        }
        long millis = ttl.longValue();
        if (millis < 1 || millis > MAX_TTL_MILLIS) {
            throw new InvalidRequestException("\"ttl\" must be between 1 and " + MAX_TTL_MILLIS + " ms");
        }
        return millis;
    }

    /**
     * {@code If-Match}: absent for an unconditional write, {@code *} for "only if it exists", or
     * one strong entity tag {@code "<version>"} as this service's ETags are.
     */
    public Precondition ifMatch(String header) {
        if (header == null) {
            return Precondition.NONE;
        }
        String trimmed = header.strip();
        if (trimmed.equals("*")) {
            return new Precondition.Exists();
        }
        var matcher = STRONG_VERSION_TAG.matcher(trimmed);
        if (!matcher.matches()) {
            throw new InvalidRequestException(
                    "If-Match must be * or one entity tag \"<version>\" as returned in ETag, got " + header);
        }
        return new Precondition.Version(Long.parseLong(matcher.group(1)));
    }

    /** The body size beyond which a PUT is refused before it is read. */
    public long maxBodyBytes() {
        // A value of the limit may be escaped (\\u0000 is 6 bytes for 1) and wrapped with a TTL.
        return 6L * properties.maxValueBytes() + 65_536;
    }
}
