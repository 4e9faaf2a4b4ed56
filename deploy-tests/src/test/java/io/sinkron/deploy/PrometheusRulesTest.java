package io.sinkron.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/prometheus checked by Prometheus' own promtool: the scrape configuration, the alert
 * rules, the rules' unit tests (alerts-test.yml), and every dashboard query's PromQL syntax.
 * promtool comes from Debian's prometheus package (apt-get install -y prometheus); without it
 * these tests are skipped, saying so.
 */
class PrometheusRulesTest {

    private static final Path DIR = Repository.path("deploy/prometheus");
    private static Tool promtool;

    @BeforeAll
    static void findPromtool() {
        Optional<Tool> found = Tool.find("promtool");
        assumeTrue(found.isPresent(), "promtool is not on PATH: apt-get install -y prometheus");
        promtool = found.get();
    }

    @Test
    void the_scrape_configuration_and_its_rule_files_are_valid() {
        Tool.Result result = promtool.run(DIR, "check", "config", "prometheus.yml");
        assertThat(result.ok()).as(result.output()).isTrue();
        assertThat(result.output()).contains("SUCCESS: 1 rule files found");
    }

    @Test
    void the_alert_rules_are_valid() {
        Tool.Result result = promtool.run(DIR, "check", "rules", "alerts.yml");
        assertThat(result.ok()).as(result.output()).isTrue();
        assertThat(result.output()).contains("SUCCESS: 4 rules found");
    }

    @Test
    void each_alert_fires_on_its_symptom_and_only_there() {
        Tool.Result result = promtool.run(DIR, "test", "rules", "alerts-test.yml");
        assertThat(result.ok()).as(result.output()).isTrue();
    }

    @Test
    void every_alert_has_a_unit_test() {
        String tests = Yamls.read(DIR.resolve("alerts-test.yml"));
        for (Tree group : Yamls.load(DIR.resolve("alerts.yml")).get("groups").list()) {
            for (Tree rule : group.get("rules").list()) {
                assertThat(tests).contains("alertname: " + rule.string("alert"));
            }
        }
    }

    /** promtool checks the syntax of rule expressions, so each dashboard query becomes a recording rule. */
    @Test
    void every_dashboard_query_is_valid_promql(@TempDir Path dir) throws IOException {
        List<GrafanaDashboards.Query> queries = GrafanaDashboards.queries();
        assertThat(queries).isNotEmpty();
        Map<String, Object> rules = new LinkedHashMap<>();
        // Distinct names: promtool rejects duplicate recording rules.
        List<Map<String, Object>> recorded = new ArrayList<>();
        for (int i = 0; i < queries.size(); i++) {
            recorded.add(Map.of(
                    "record", "dashboard:query_" + i, "expr", queries.get(i).executableExpr()));
        }
        rules.put("groups", List.of(Map.of("name", "dashboards", "rules", recorded)));
        Path file = dir.resolve("dashboard-queries.yml");
        Files.writeString(file, Yamls.dump(rules));
        Tool.Result result = promtool.run(dir, "check", "rules", file.toString());
        assertThat(result.ok()).as(result.output()).isTrue();
        assertThat(result.output()).contains("SUCCESS: " + queries.size() + " rules found");
    }

    /** The check above proves something only if promtool refuses broken PromQL. */
    @Test
    void promtool_refuses_a_broken_expression(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("broken.yml");
        Files.writeString(
                file,
                Yamls.dump(Map.of(
                        "groups",
                        List.of(Map.of(
                                "name",
                                "broken",
                                "rules",
                                List.of(Map.of(
                                        "record",
                                        "x:y",
                                        "expr",
                                        "sum by (instance (rate(sinkron_raft_term[1m]))")))))));
        assertThat(promtool.run(dir, "check", "rules", file.toString()).ok()).isFalse();
    }
}
