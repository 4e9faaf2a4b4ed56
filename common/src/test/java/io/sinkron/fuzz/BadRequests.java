package io.sinkron.fuzz;

import io.sinkron.fuzz.BadInput.BadRequest;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Bad requests to a set of endpoints, each aimed at the resource {@code target} names for it (an
 * existing one, so that a request accepted by mistake shows in its state).
 */
public final class BadRequests {

    private final List<Endpoint> endpoints;
    private final Function<Endpoint, String> target;

    public BadRequests(List<Endpoint> endpoints, Function<Endpoint, String> target) {
        this.endpoints = List.copyOf(endpoints);
        this.target = target;
    }

    /** Every kind of bad body, to every endpoint that takes a body. */
    public Arbitrary<BadRequest> bodies() {
        return Arbitraries.of(endpoints.stream().filter(e -> e.body() != null).toList())
                .flatMap(e -> BadInput.bodies(e.body())
                        .map(body -> new BadRequest(
                                body.category(),
                                RawRequest.of(
                                                e.method(),
                                                e.request(target.apply(e)).target())
                                        .header("Content-Type", "application/json")
                                        .body(body.bytes()))));
    }

    /** Ids {@code valid} refuses, in the path of every endpoint that has one; bodies and the rest as accepted. */
    public Arbitrary<BadRequest> hostileIds(Predicate<String> valid) {
        return Arbitraries.of(endpoints.stream().filter(Endpoint::hasId).toList())
                .flatMap(e -> BadInput.pathSegments(valid)
                        .map(id -> new BadRequest("hostile id in the path", e.request(id.wire()))));
    }

    /**
     * Otherwise acceptable requests with a Content-Type that is not JSON, an Accept header no
     * answer can satisfy, or a method the path does not answer.
     */
    public Arbitrary<BadRequest> wrongMediaTypesAndMethods() {
        Arbitrary<Endpoint> all = Arbitraries.of(endpoints);
        Arbitrary<BadRequest> contentTypes = Arbitraries.of(
                        endpoints.stream().filter(e -> e.body() != null).toList())
                .flatMap(e -> BadInput.wrongContentTypes().map(type -> {
                    RawRequest valid = e.request(target.apply(e));
                    RawRequest request =
                            RawRequest.of(valid.method(), valid.target()).body(valid.body());
                    return new BadRequest(
                            "wrong Content-Type", type == null ? request : request.header("Content-Type", type));
                }));
        Arbitrary<BadRequest> accepts = all.flatMap(e -> BadInput.unacceptableAccepts()
                .map(accept -> new BadRequest(
                        "unacceptable Accept", e.request(target.apply(e)).header("Accept", accept))));
        Arbitrary<BadRequest> methods =
                all.flatMap(e -> BadInput.otherMethods(e.methodsOnPath()).map(method -> {
                    RawRequest valid = e.request(target.apply(e));
                    return new BadRequest(
                            "wrong method",
                            new RawRequest(method, valid.target(), valid.headers(), valid.body(), false));
                }));
        return Arbitraries.oneOf(contentTypes, accepts, methods);
    }

    /** Requests that break HTTP/1.1 itself, around the accepted request to {@code endpoint}. */
    public Arbitrary<BadRequest> brokenHttp(Endpoint endpoint) {
        RawRequest valid = endpoint.request(target.apply(endpoint));
        String json = endpoint.body() == null ? "{}" : endpoint.body().exampleJson();
        return Arbitraries.of(BadInput.protocolAbuses(valid.method(), valid.target(), json));
    }
}
