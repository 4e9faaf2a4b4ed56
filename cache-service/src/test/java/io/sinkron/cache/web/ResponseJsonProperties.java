package io.sinkron.cache.web;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import tools.jackson.databind.json.JsonMapper;

/**
 * The GET and PUT answers are rendered without Jackson; these properties hold them to exactly
 * what Jackson writes for the same records, for any key (quotes, backslashes, non-ASCII, control
 * characters included) and any JSON value text.
 */
class ResponseJsonProperties {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Property(tries = 500)
    void a_value_response_renders_as_jackson_writes_it(
            @ForAll("keys") String key, @ForAll("values") String value, @ForAll long version) {
        var response = new ValueResponse(key, value, version);

        assertThat(response.json()).isEqualTo(JSON.writeValueAsBytes(response));
    }

    @Property(tries = 500)
    void a_version_response_renders_as_jackson_writes_it(@ForAll("keys") String key, @ForAll long version) {
        var response = new VersionResponse(key, version);

        assertThat(response.json()).isEqualTo(JSON.writeValueAsBytes(response));
    }

    @Provide
    Arbitrary<String> keys() {
        return Arbitraries.oneOf(
                Arbitraries.strings()
                        .all()
                        .excludeChars(surrogates())
                        .ofMinLength(1)
                        .ofMaxLength(40),
                Arbitraries.strings()
                        .withChars("\"\\/\u0000\u001f\u007f\u2028é€")
                        .ofMinLength(1)
                        .ofMaxLength(10));
    }

    @Provide
    Arbitrary<String> values() {
        return Arbitraries.of(
                "1",
                "-2.50",
                "1E+300",
                "true",
                "null",
                "\"text \\\" with \\\\ escapes\"",
                "[]",
                "{}",
                "{\"a\":[1,{\"b\":null}],\"é\":\"€\"}");
    }

    private static char[] surrogates() {
        char[] surrogates = new char[Character.MAX_SURROGATE - Character.MIN_SURROGATE + 1];
        for (int i = 0; i < surrogates.length; i++) {
            surrogates[i] = (char) (Character.MIN_SURROGATE + i);
        }
        return surrogates;
    }
}
