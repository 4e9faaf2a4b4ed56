package io.sinkron.fuzz;

import java.util.Set;

/**
 * One endpoint of a REST API, as the fuzzer aims at it.
 *
 * @param path the path, with {@code %s} where the id goes if it has one
 * @param body the JSON body it takes, or null for none
 * @param methodsOnPath every method the path answers, this one included
 */
public record Endpoint(String method, String path, JsonBody body, Set<String> methodsOnPath) {

    public Endpoint {
        methodsOnPath = Set.copyOf(methodsOnPath);
    }

    public boolean hasId() {
        return path.contains("%s");
    }

    /** The request the endpoint accepts for {@code id} (sent as is, so encoded already). */
    public RawRequest request(String id) {
        RawRequest request = RawRequest.of(method, hasId() ? path.formatted(id) : path);
        return body == null ? request : request.json(body.exampleJson());
    }

    @Override
    public String toString() {
        return method + " " + path;
    }
}
