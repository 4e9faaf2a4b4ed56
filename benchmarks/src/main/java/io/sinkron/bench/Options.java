package io.sinkron.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code --name=value} command-line options; every option must be consumed by the program. */
final class Options {

    private final Map<String, String> values = new LinkedHashMap<>();

    private Options() {}

    static Options parse(String[] args) {
        var options = new Options();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 3) {
                throw new IllegalArgumentException("expected --name=value, got '" + arg + "'");
            }
            options.values.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        return options;
    }

    String required(String name) {
        String v = values.remove(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    String string(String name, String defaultValue) {
        String v = values.remove(name);
        return v == null ? defaultValue : v;
    }

    int integer(String name, int defaultValue) {
        String v = values.remove(name);
        return v == null ? defaultValue : Integer.parseInt(v);
    }

    long longValue(String name, long defaultValue) {
        String v = values.remove(name);
        return v == null ? defaultValue : Long.parseLong(v);
    }

    /** Fails on options nobody asked for, so a typo does not silently run with a default. */
    void rejectUnknown() {
        if (!values.isEmpty()) {
            throw new IllegalArgumentException("unknown options: " + values.keySet());
        }
    }
}
