package io.sinkron.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A read-only walk over parsed YAML or JSON (maps, lists, scalars) that names the path it took
 * in every failure, so that a broken manifest is reported as "spec.template.spec.containers[0]
 * has no ports", not as a NullPointerException.
 */
record Tree(Object value, String path) {

    static Tree of(Object value, String name) {
        return new Tree(value, name);
    }

    boolean has(String key) {
        return value instanceof Map<?, ?> map && map.get(key) != null;
    }

    Tree get(String key) {
        Object child = map().get(key);
        if (child == null) {
            throw new AssertionError(path + " has no '" + key + "'");
        }
        return new Tree(child, path + "." + key);
    }

    /** The child, or an empty map when it is absent. */
    Tree getOrEmpty(String key) {
        Object child = map().get(key);
        return new Tree(child == null ? Map.of() : child, path + "." + key);
    }

    /** Follows a dotted path of keys. */
    Tree at(String dotted) {
        Tree t = this;
        for (String key : dotted.split("\\.")) {
            t = t.get(key);
        }
        return t;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> map() {
        if (!(value instanceof Map<?, ?>)) {
            throw new AssertionError(path + " is not a map: " + value);
        }
        return (Map<String, Object>) value;
    }

    List<Tree> list() {
        if (!(value instanceof List<?> items)) {
            throw new AssertionError(path + " is not a list: " + value);
        }
        List<Tree> trees = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            trees.add(new Tree(items.get(i), path + "[" + i + "]"));
        }
        return trees;
    }

    /** The list, or no items when the key is absent. */
    List<Tree> listOrEmpty(String key) {
        return has(key) ? get(key).list() : List.of();
    }

    String string() {
        if (value instanceof Map<?, ?> || value instanceof List<?>) {
            throw new AssertionError(path + " is not a scalar: " + value);
        }
        return Objects.toString(value);
    }

    String string(String key) {
        return get(key).string();
    }

    int integer() {
        if (!(value instanceof Number n)) {
            throw new AssertionError(path + " is not a number: " + value);
        }
        return n.intValue();
    }

    int integer(String key) {
        return get(key).integer();
    }

    /** A map of string labels, such as metadata.labels or a selector. */
    Map<String, String> labels() {
        var labels = new LinkedHashMap<String, String>();
        map().forEach((k, v) -> labels.put(k, Objects.toString(v)));
        return labels;
    }
}
