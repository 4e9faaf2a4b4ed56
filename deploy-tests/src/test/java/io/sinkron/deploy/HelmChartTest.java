package io.sinkron.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Helm chart, linted and rendered by Helm for the default values and every ci/*-values.yaml,
 * and the rendered objects checked against each other and against the applications.
 */
class HelmChartTest {

    private static final String PREFIX = Chart.RELEASE + "-sinkron";
    private static final String CONSENSUS = PREFIX + "-consensus";
    private static final String HEADLESS = CONSENSUS + "-headless";
    private static final String LIVENESS = "/actuator/health/liveness";
    private static final String READINESS = "/actuator/health/readiness";

    static Stream<Arguments> scenarios() {
        return Stream.concat(
                Stream.of(Arguments.of(Named.of("default values", null))),
                Chart.ciValues().stream()
                        .map(f -> Arguments.of(Named.of(f.getFileName().toString(), f))));
    }

    @Test
    void every_ci_scenario_is_found() {
        assertThat(Chart.ciValues()).hasSizeGreaterThanOrEqualTo(3);
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void lint_passes_strictly(Path values, @TempDir Path scratch) {
        LintResult result = Chart.lint(values, scratch);
        assertThat(result.isFailed())
                .as(String.join("\n", result.getMessages()))
                .isFalse();
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void selectors_match_the_pod_labels_of_exactly_one_workload(Path values) {
        Manifests m = Chart.render(values);
        List<Tree> workloads = workloads(m);
        assertThat(workloads).isNotEmpty();
        for (Tree w : workloads) {
            assertThat(podLabels(w))
                    .as(w.path() + " pods carry its selector's labels")
                    .containsAllEntriesOf(w.at("spec.selector.matchLabels").labels());
        }
        for (Tree service : m.ofKind("Service")) {
            Map<String, String> selector = service.at("spec.selector").labels();
            List<Tree> selected = workloads.stream()
                    .filter(w -> podLabels(w).entrySet().containsAll(selector.entrySet()))
                    .toList();
            assertThat(selected).as(service.path() + " selects one workload").hasSize(1);
            Set<String> declared = containerPortNames(selected.getFirst());
            for (Tree port : service.at("spec.ports").list()) {
                assertThat(declared)
                        .as(port.path() + " targets a port the container declares")
                        .contains(port.string("targetPort"));
            }
        }
        for (Tree pdb : m.ofKind("PodDisruptionBudget")) {
            Map<String, String> selector = pdb.at("spec.selector.matchLabels").labels();
            assertThat(workloads.stream().filter(w -> podLabels(w).entrySet().containsAll(selector.entrySet())))
                    .containsExactly(m.get("StatefulSet", CONSENSUS));
        }
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void every_resource_carries_the_standard_labels(Path values) {
        for (Tree object : Chart.render(values).all()) {
            assertThat(object.at("metadata.labels").labels())
                    .as(object.path())
                    .containsEntry("app.kubernetes.io/name", "sinkron")
                    .containsEntry("app.kubernetes.io/instance", Chart.RELEASE)
                    .containsEntry("app.kubernetes.io/managed-by", "Helm")
                    .containsKeys("app.kubernetes.io/component", "app.kubernetes.io/version", "helm.sh/chart");
        }
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void probes_use_the_actuator_groups_on_a_declared_port(Path values) {
        for (Tree w : workloads(Chart.render(values))) {
            for (Tree container : containers(w)) {
                Set<String> ports = containerPortNames(container);
                for (var probe : Map.of(
                                "startupProbe", LIVENESS,
                                "livenessProbe", LIVENESS,
                                "readinessProbe", READINESS)
                        .entrySet()) {
                    Tree httpGet = container.get(probe.getKey()).get("httpGet");
                    assertThat(httpGet.string("path")).as(httpGet.path()).isEqualTo(probe.getValue());
                    assertThat(ports).as(httpGet.path() + ".port").contains(httpGet.string("port"));
                }
            }
        }
    }

    /** The probes' paths exist only because each application enables the Actuator probe groups. */
    @ParameterizedTest
    @ValueSource(strings = {"consensus-node", "lock-service", "queue-service", "cache-service"})
    void the_applications_serve_the_probed_health_groups(String module) {
        Tree config = Yamls.load(Repository.path(module + "/src/main/resources/application.yml"));
        assertThat(config.at("management.endpoint.health.probes.enabled").string())
                .isEqualTo("true");
        assertThat(config.at("management.endpoints.web.exposure.include").string())
                .contains("health")
                .contains("prometheus");
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void consensus_nodes_bootstrap_from_the_headless_dns_names(Path values) {
        Manifests m = Chart.render(values);
        Map<String, Object> effective = effectiveValues(values);
        Tree consensus = Tree.of(effective, "values").get("consensus");
        int replicas = consensus.integer("replicas");
        int initial = consensus.integer("initialReplicas");
        int grpcPort = consensus.at("ports.grpc").integer();

        Tree sts = m.get("StatefulSet", CONSENSUS);
        assertThat(sts.at("spec.replicas").integer()).isEqualTo(replicas);
        assertThat(sts.at("spec.podManagementPolicy").string()).isEqualTo("Parallel");
        assertThat(sts.at("spec.serviceName").string()).isEqualTo(HEADLESS);

        Tree headless = m.get("Service", HEADLESS);
        assertThat(headless.at("spec.clusterIP").string()).isEqualTo("None");
        assertThat(headless.at("spec.publishNotReadyAddresses").string()).isEqualTo("true");
        assertThat(headless.at("spec.ports").list())
                .anySatisfy(p -> assertThat(p.integer("port")).isEqualTo(grpcPort));

        Tree container = containers(sts).getFirst();
        Map<String, String> env = env(container);
        assertThat(fieldRef(container, "NODE_ID")).isEqualTo("metadata.name");
        assertThat(env).containsEntry("INITIAL_REPLICAS", String.valueOf(initial));
        List<String> expected = IntStream.range(0, initial)
                .mapToObj(i -> "%s-%d:%s-%d.%s.%s.svc.cluster.local:%d"
                        .formatted(CONSENSUS, i, CONSENSUS, i, HEADLESS, Chart.NAMESPACE, grpcPort))
                .toList();
        assertThat(List.of(env.get("CLUSTER_NODES").split(","))).containsExactlyElementsOf(expected);
        assertThat(container.get("ports").list())
                .anySatisfy(p -> assertThat(p.integer("containerPort")).isEqualTo(grpcPort));

        boolean persistent = consensus.at("persistence.enabled").string().equals("true");
        assertThat(sts.at("spec").listOrEmpty("volumeClaimTemplates"))
                .as("claims only with persistence")
                .hasSize(persistent ? 1 : 0);
        assertThat(container.get("volumeMounts").list())
                .anySatisfy(v -> assertThat(v.string("mountPath")).isEqualTo(env.get("DATA_DIR")));
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void services_know_every_consensus_node(Path values) {
        Manifests m = Chart.render(values);
        Tree consensus = Tree.of(effectiveValues(values), "values").get("consensus");
        int replicas = consensus.integer("replicas");
        int grpcPort = consensus.at("ports.grpc").integer();
        List<String> expected = IntStream.range(0, replicas)
                .mapToObj(i ->
                        "%s-%d.%s.%s.svc.cluster.local:%d".formatted(CONSENSUS, i, HEADLESS, Chart.NAMESPACE, grpcPort))
                .toList();
        List<Tree> deployments = m.ofKind("Deployment");
        assertThat(deployments).isNotEmpty();
        for (Tree d : deployments) {
            String nodes = env(containers(d).getFirst()).get("CONSENSUS_NODES");
            assertThat(List.of(nodes.split(","))).as(d.path()).containsExactlyElementsOf(expected);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7})
    void the_disruption_budget_keeps_a_majority(int replicas, @TempDir Path dir) throws IOException {
        Path values = dir.resolve("values.yaml");
        Files.writeString(values, "consensus:\n  replicas: %d\n  initialReplicas: %d\n".formatted(replicas, replicas));
        Tree pdb = Chart.render(values).get("PodDisruptionBudget", CONSENSUS);
        assertThat(pdb.at("spec.minAvailable").integer()).isEqualTo(replicas / 2 + 1);
    }

    @Test
    void scaled_up_pods_join_and_bootstrap_pods_keep_the_initial_members(@TempDir Path stubs) throws Exception {
        Manifests m = Chart.render(Chart.DIR.resolve("ci/scale-up-values.yaml"));
        Tree container = containers(m.get("StatefulSet", CONSENSUS)).getFirst();
        ConsensusStartScript script = new ConsensusStartScript(container, stubs);
        String bootstrap = env(container).get("CLUSTER_NODES");
        assertThat(bootstrap.split(",")).hasSize(3);
        for (int ordinal = 0; ordinal < 5; ordinal++) {
            String pod = CONSENSUS + "-" + ordinal;
            Map<String, String> started = script.run(pod, Chart.NAMESPACE);
            if (ordinal < 3) {
                assertThat(started).as(pod).containsEntry("JOIN", "").containsEntry("CLUSTER_NODES", bootstrap);
            } else {
                assertThat(started)
                        .as(pod)
                        .containsEntry("JOIN", "true")
                        .containsEntry(
                                "CLUSTER_NODES",
                                bootstrap + "," + pod + ":" + pod + "." + HEADLESS + "." + Chart.NAMESPACE
                                        + ".svc.cluster.local:7000");
            }
            assertThat(started).containsEntry("NODE_ID", pod);
            assertThat(started.get("ARGS")).isEqualTo("org.springframework.boot.loader.launch.JarLauncher");
        }
    }

    @Test
    void scaling_up_changes_nothing_in_the_existing_pods(@TempDir Path dir) throws IOException {
        Path three = dir.resolve("three.yaml");
        Files.writeString(three, "consensus:\n  replicas: 3\n");
        Path five = dir.resolve("five.yaml");
        Files.writeString(five, "consensus:\n  replicas: 5\n");
        Tree before = Chart.render(three).get("StatefulSet", CONSENSUS);
        Tree after = Chart.render(five).get("StatefulSet", CONSENSUS);
        // An unchanged pod template means Kubernetes does not restart pods 0-2 on the upgrade.
        assertThat(after.at("spec.template").value())
                .isEqualTo(before.at("spec.template").value());
        assertThat(after.at("spec.replicas").integer()).isEqualTo(5);
    }

    @Test
    void an_initial_size_above_replicas_is_refused(@TempDir Path dir) throws IOException {
        Path values = dir.resolve("values.yaml");
        Files.writeString(values, "consensus:\n  replicas: 1\n");
        assertThatThrownBy(() -> Chart.render(values))
                .hasMessageContaining("consensus.initialReplicas (3) exceeds consensus.replicas (1)");
    }

    @Test
    void the_test_pod_is_a_helm_test_hook() {
        assertThat(Yamls.read(Chart.DIR.resolve("templates/tests/test-cluster.yaml")))
                .containsPattern("(?m)^    helm\\.sh/hook: test$");
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void the_install_notes_render_and_name_the_release(Path values) {
        String notes = Chart.installNotes(values);
        assertThat(notes)
                .contains("helm test " + Chart.RELEASE + " --namespace " + Chart.NAMESPACE)
                .contains("svc/" + CONSENSUS)
                .doesNotContain("<no value>");
    }

    @Test
    void monitoring_objects_appear_only_when_enabled() {
        Manifests defaults = Chart.render(null);
        assertThat(defaults.ofKind("ServiceMonitor")).isEmpty();
        assertThat(defaults.ofKind("PrometheusRule")).isEmpty();

        Manifests m = Chart.render(Chart.DIR.resolve("ci/monitoring-values.yaml"));
        Tree monitor = m.only("ServiceMonitor");
        assertThat(monitor.at("metadata.labels").labels()).containsEntry("release", "kube-prometheus-stack");
        Map<String, String> selector = monitor.at("spec.selector.matchLabels").labels();
        List<String> scraped = m.ofKind("Service").stream()
                .filter(s -> s.at("metadata.labels").labels().entrySet().containsAll(selector.entrySet()))
                .map(s -> s.at("metadata.name").string())
                .toList();
        // Each process once: the consensus pods through the headless Service only.
        assertThat(scraped).containsExactlyInAnyOrder(HEADLESS, PREFIX + "-lock", PREFIX + "-queue", PREFIX + "-cache");
        Tree endpoint = monitor.at("spec.endpoints").list().getFirst();
        assertThat(endpoint.string("path")).isEqualTo("/actuator/prometheus");
        assertThat(endpoint.string("interval")).isEqualTo("30s");
        for (String service : scraped) {
            assertThat(m.get("Service", service).at("spec.ports").list())
                    .anySatisfy(p -> assertThat(p.string("name")).isEqualTo(endpoint.string("port")));
        }

        Tree rule = m.only("PrometheusRule");
        assertThat(rule.at("spec.groups").value())
                .isEqualTo(Yamls.load(Repository.path("deploy/prometheus/alerts.yml"))
                        .get("groups")
                        .value());
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void dashboards_ship_as_sidecar_config_maps(Path values) throws IOException {
        Manifests m = Chart.render(values);
        Tree metrics = Tree.of(effectiveValues(values), "values").at("metrics.grafanaDashboards");
        List<Tree> maps = m.ofKind("ConfigMap");
        if (!metrics.string("enabled").equals("true")) {
            assertThat(maps).isEmpty();
            return;
        }
        List<Path> dashboards;
        try (Stream<Path> files = Files.list(Repository.path("grafana/dashboards"))) {
            dashboards = files.filter(f -> f.toString().endsWith(".json")).toList();
        }
        assertThat(maps).hasSize(dashboards.size());
        String namespace = metrics.string("namespace");
        for (Path dashboard : dashboards) {
            String file = dashboard.getFileName().toString();
            Tree map = maps.stream()
                    .filter(c -> c.get("data").has(file))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no ConfigMap holds " + file));
            assertThat(map.at("metadata.labels").labels()).containsEntry("grafana_dashboard", "1");
            assertThat(map.at("metadata.namespace").string())
                    .isEqualTo(namespace.isEmpty() ? Chart.NAMESPACE : namespace);
            assertThat(map.get("data").string(file).strip())
                    .isEqualTo(Files.readString(dashboard).strip());
        }
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void the_helm_test_checks_the_leader_and_every_service(Path values, @TempDir Path scratch) {
        Manifests m = Chart.render(values);
        Tree pod = Chart.renderTestPod(values, scratch);
        List<String> command = containers(pod).getFirst().get("command").list().stream()
                .map(Tree::string)
                .toList();
        assertThat(command.getFirst()).isEqualTo("sinkron-http-check");
        List<String> expected = new ArrayList<>();
        expected.add(CONSENSUS + ":" + servicePort(m, CONSENSUS) + "/health");
        for (Tree d : m.ofKind("Deployment")) {
            String name = d.at("metadata.name").string();
            expected.add(name + ":" + servicePort(m, name) + READINESS);
        }
        assertThat(command.subList(1, command.size())).containsExactlyInAnyOrderElementsOf(expected);
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void every_pod_runs_as_the_images_non_root_user(Path values, @TempDir Path scratch) {
        Manifests m = Chart.render(values);
        List<Tree> pods = new ArrayList<>(
                workloads(m).stream().map(w -> w.at("spec.template.spec")).toList());
        pods.add(Chart.renderTestPod(values, scratch).get("spec"));
        for (Tree pod : pods) {
            Tree security = pod.get("securityContext");
            assertThat(security.string("runAsNonRoot")).as(pod.path()).isEqualTo("true");
            assertThat(security.integer("runAsUser")).as(pod.path()).isEqualTo(10001);
        }
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of(Named.of("replicas as a word", "consensus:\n  replicas: three\n"), "replicas"),
                Arguments.of(Named.of("negative replicas", "consensus:\n  replicas: -1\n"), "replicas"),
                Arguments.of(Named.of("no consensus node", "consensus:\n  replicas: 0\n"), "replicas"),
                Arguments.of(Named.of("zero initial size", "consensus:\n  initialReplicas: 0\n"), "initialReplicas"),
                Arguments.of(Named.of("port out of range", "lock:\n  port: 70000\n"), "port"),
                Arguments.of(
                        Named.of("unknown anti-affinity", "consensus:\n  podAntiAffinity: sometimes\n"),
                        "podAntiAffinity"),
                Arguments.of(Named.of("misspelt section", "consensu:\n  replicas: 5\n"), "consensu"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void the_schema_rejects_bad_values(String yaml, String field, @TempDir Path dir) throws IOException {
        Path values = dir.resolve("bad-values.yaml");
        Files.writeString(values, yaml);
        assertThatThrownBy(() -> Chart.render(values))
                .hasMessageContaining("schema")
                .hasMessageContaining(field);
        Files.createDirectories(dir.resolve("lint"));
        LintResult lint = Chart.lint(values, dir.resolve("lint"));
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isTrue();
        assertThat(String.join("\n", lint.getMessages())).contains(field);
    }

    private static int servicePort(Manifests m, String service) {
        return m.get("Service", service).at("spec.ports").list().getFirst().integer("port");
    }

    private static List<Tree> workloads(Manifests m) {
        return Stream.concat(m.ofKind("StatefulSet").stream(), m.ofKind("Deployment").stream())
                .toList();
    }

    private static Map<String, String> podLabels(Tree workload) {
        return workload.at("spec.template.metadata.labels").labels();
    }

    private static List<Tree> containers(Tree object) {
        Tree spec = object.string("kind").equals("Pod") ? object.get("spec") : object.at("spec.template.spec");
        return spec.get("containers").list();
    }

    private static Set<String> containerPortNames(Tree workloadOrContainer) {
        List<Tree> containers =
                workloadOrContainer.has("kind") ? containers(workloadOrContainer) : List.of(workloadOrContainer);
        Set<String> names = new HashSet<>();
        for (Tree c : containers) {
            c.listOrEmpty("ports").forEach(p -> names.add(p.string("name")));
        }
        return names;
    }

    /** The container's literal environment (valueFrom entries are left out). */
    static Map<String, String> env(Tree container) {
        Map<String, String> env = new HashMap<>();
        for (Tree e : container.get("env").list()) {
            if (e.has("value")) {
                env.put(e.string("name"), e.string("value"));
            }
        }
        return env;
    }

    private static String fieldRef(Tree container, String name) {
        return container.get("env").list().stream()
                .filter(e -> e.string("name").equals(name))
                .findFirst()
                .orElseThrow()
                .at("valueFrom.fieldRef.fieldPath")
                .string();
    }

    private static Map<String, Object> effectiveValues(Path values) {
        Map<String, Object> defaults =
                Yamls.load(Chart.DIR.resolve("values.yaml")).map();
        return values == null
                ? defaults
                : Chart.merge(defaults, Yamls.load(values).map());
    }
}
