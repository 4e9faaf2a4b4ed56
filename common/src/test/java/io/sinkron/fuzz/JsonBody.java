package io.sinkron.fuzz;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The JSON body an endpoint takes: its fields, and a body it accepts to start breaking from.
 *
 * @param fields every field the endpoint knows
 * @param example field name to JSON literal: a body the endpoint accepts
 * @param optional whether no body at all (or {@code null}) is acceptable too
 * @param maxBytes the largest body the service reads at all, or null if it reads any size
 * @param listsAccepted whether a JSON array of such objects is acceptable too
 */
public record JsonBody(
        List<JsonField> fields, Map<String, String> example, boolean optional, Long maxBytes, boolean listsAccepted) {

    public JsonBody {
        fields = List.copyOf(fields);
        example = new LinkedHashMap<>(example);
    }

    /** A required body whose example fills every required field with its example value. */
    public static JsonBody of(JsonField... fields) {
        Map<String, String> example = new LinkedHashMap<>();
        for (JsonField f : fields) {
            if (f.required()) {
                example.put(f.name(), f.validLiteral());
            }
        }
        return new JsonBody(List.of(fields), example, false, null, false);
    }

    public JsonBody withExample(Map<String, String> fieldLiterals) {
        return new JsonBody(fields, fieldLiterals, optional, maxBytes, listsAccepted);
    }

    public JsonBody optionalBody() {
        return new JsonBody(fields, example, true, maxBytes, listsAccepted);
    }

    public JsonBody limitedTo(long bytes) {
        return new JsonBody(fields, example, optional, bytes, listsAccepted);
    }

    public JsonBody acceptingListsOfIt() {
        return new JsonBody(fields, example, optional, maxBytes, true);
    }

    boolean knows(String name) {
        return fields.stream().anyMatch(f -> f.name().equals(name));
    }

    String render(Map<String, String> fieldLiterals) {
        return fieldLiterals.entrySet().stream()
                .map(e -> JsonField.quote(e.getKey()) + ":" + e.getValue())
                .collect(Collectors.joining(",", "{", "}"));
    }

    public String exampleJson() {
        return render(example);
    }
}
