package io.sinkron.fuzz;

import java.util.Set;
import java.util.function.Predicate;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One field of a JSON request body, described just well enough for the fuzzer to break it: which
 * JSON values (as literal text) the service accepts for it, and one it accepts.
 *
 * @param accepts whether the service accepts this JSON literal as the field's value
 */
public record JsonField(String name, boolean required, String validLiteral, Predicate<String> accepts) {

    /** Strict: a document followed by anything but whitespace is not JSON. */
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** A string matching {@code valid}. */
    public static JsonField text(String name, boolean required, String example, Predicate<String> valid) {
        return new JsonField(name, required, quote(example), literal -> {
            JsonNode node = parse(literal);
            return node != null && node.isString() && valid.test(node.asString());
        });
    }

    /** A whole number in {@code min..max}, written as an integer (no fraction, no exponent). */
    public static JsonField integer(String name, boolean required, long example, long min, long max) {
        return new JsonField(name, required, Long.toString(example), literal -> {
            JsonNode node = parse(literal);
            return node != null
                    && node.isIntegralNumber()
                    && node.canConvertToLong()
                    && node.longValue() >= min
                    && node.longValue() <= max;
        });
    }

    /** One of the strings {@code values}. */
    public static JsonField oneOf(String name, boolean required, Set<String> values) {
        return new JsonField(name, required, quote(values.iterator().next()), literal -> {
            JsonNode node = parse(literal);
            return node != null && node.isString() && values.contains(node.asString());
        });
    }

    public static JsonField bool(String name, boolean required) {
        return new JsonField(name, required, "true", literal -> {
            JsonNode node = parse(literal);
            return node != null && node.isBoolean();
        });
    }

    /** A JSON value {@code valid} accepts. */
    public static JsonField json(String name, boolean required, String example, Predicate<JsonNode> valid) {
        return new JsonField(name, required, example, literal -> {
            JsonNode node = parse(literal);
            return node != null && valid.test(node);
        });
    }

    /** Any JSON value at all (a cache value, a queue message). */
    public static JsonField anyJson(String name, boolean required, String example) {
        return new JsonField(name, required, example, literal -> parse(literal) != null);
    }

    /** Whether the service accepts {@code literal} here; {@code null} stands for "absent" in an optional field. */
    boolean acceptsLiteral(String literal) {
        return (literal.equals("null") && !required) || accepts.test(literal);
    }

    /** {@code text} as a JSON string literal. */
    public static String quote(String text) {
        return JSON.writeValueAsString(text);
    }

    /** The value of a well-formed literal; null for malformed JSON or a value the parser refuses. */
    static JsonNode parse(String literal) {
        try {
            return JSON.readTree(literal);
        } catch (JacksonException e) {
            return null;
        }
    }
}
