package io.sinkron.launcher;

import io.sinkron.launcher.LocalTopology.Component;
import java.io.PrintStream;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code ./sinkron status}: whether each process of a local run is ready, and who leads. */
final class StatusCommand {

    private final LocalTopology topology;
    private final PrintStream out;
    private final HttpProbe probe = new HttpProbe();

    StatusCommand(LocalTopology topology, PrintStream out) {
        this.topology = topology;
        this.out = out;
    }

    /** @return 0 if every process is ready, 1 otherwise */
    int run() {
        boolean allReady = true;
        for (Component c : topology.all()) {
            Optional<HttpProbe.Answer> readiness = probe.get(c.readiness());
            String state = readiness
                    .map(a -> a.ok() ? "ready" : "not ready (HTTP " + a.status() + ")")
                    .orElse("down");
            allReady &= readiness.map(HttpProbe.Answer::ok).orElse(false);
            String detail = c.kind() == LocalTopology.Kind.NODE && readiness.isPresent() ? role(c) : "";
            out.printf(
                    "%-8s %-22s %-30s %s%n",
                    c.name(),
                    state,
                    detail,
                    c.url(c.kind() == LocalTopology.Kind.NODE ? "/status" : "/swagger-ui.html"));
        }
        return allReady ? 0 : 1;
    }

    private String role(Component node) {
        return probe.get(node.url("/health"))
                .map(HttpProbe.Answer::body)
                .map(body -> {
                    String term = field(body, "term").orElse("?");
                    if (field(body, "is_leader").filter("true"::equals).isPresent()) {
                        return "leader, term " + term;
                    }
                    return field(body, "leader_id")
                            .map(leader -> "follows " + leader + ", term " + term)
                            .orElse("no leader known, term " + term);
                })
                .orElse("");
    }

    private static Optional<String> field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"?([^\",}]*)\"?").matcher(json);
        return m.find() && !m.group(1).equals("null") ? Optional.of(m.group(1)) : Optional.empty();
    }
}
