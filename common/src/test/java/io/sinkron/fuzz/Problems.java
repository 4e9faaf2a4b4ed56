package io.sinkron.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.fuzz.BadInput.BadRequest;
import java.util.function.Supplier;
import net.jqwik.api.statistics.Statistics;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** What every service answers to bad input: an RFC 9457 problem detail with a Sinkron type. */
public final class Problems {

    public static final String TYPE_BASE = "https://sinkron.io/problems/";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Problems() {}

    /**
     * Asserts that {@code response} refuses the request as the client's fault: a 4xx status, an
     * {@code application/problem+json} body whose {@code status} agrees and whose {@code type} is
     * one of Sinkron's.
     *
     * @return the problem's type
     */
    public static String assertRejected(RawResponse response, RawRequest request) {
        assertThat(response.status())
                .as("status of %s\nto:\n%s", response, request)
                .isBetween(400, 499);
        assertThat(response.header("Content-Type").orElse(""))
                .as("content type of %s\nto:\n%s", response, request)
                .startsWith("application/problem+json");
        JsonNode problem;
        try {
            problem = JSON.readTree(response.body());
        } catch (JacksonException e) {
            throw new AssertionError("not a JSON problem detail: " + response + "\nto:\n" + request, e);
        }
        assertThat(problem.path("status").asInt())
                .as("status member of %s\nto:\n%s", response, request)
                .isEqualTo(response.status());
        String type = problem.path("type").asString("");
        assertThat(type).as("type member of %s\nto:\n%s", response, request).startsWith(TYPE_BASE);
        return type;
    }

    /**
     * Sends {@code request}, asserts that it is {@linkplain #assertRejected rejected}, and that what
     * {@code observe} sees of the service's state is the same after it as before.
     *
     * @return the response
     */
    public static <S> RawResponse assertRejectedWithoutEffect(RawHttp http, RawRequest request, Supplier<S> observe) {
        S before = observe.get();
        RawResponse response = http.send(request);
        assertRejected(response, request);
        assertThat(observe.get())
                .as("state after\n%s\nwas answered %s", request, response)
                .isEqualTo(before);
        return response;
    }

    /**
     * {@link #assertRejectedWithoutEffect(RawHttp, RawRequest, Supplier)} in a jqwik property,
     * counting the kinds of bad request and the statuses of their answers in its statistics.
     */
    public static <S> void assertRejectedWithoutEffect(RawHttp http, BadRequest bad, Supplier<S> observe) {
        RawResponse response = assertRejectedWithoutEffect(http, bad.request(), observe);
        Statistics.label("kind").collect(bad.category());
        Statistics.label("answer").collect(response.status());
    }
}
