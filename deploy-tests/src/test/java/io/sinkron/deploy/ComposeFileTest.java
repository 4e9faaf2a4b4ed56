package io.sinkron.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml: parsed (merge keys resolved) and checked for what makes the stack start
 * and find itself; and validated by docker-compose itself where it is installed.
 */
class ComposeFileTest {

    private static final Tree COMPOSE = Yamls.load(Repository.path("docker-compose.yml"));
    private static final Set<String> CONSENSUS = Set.of("consensus-1", "consensus-2", "consensus-3");
    private static final Map<String, String> MODULES = Map.of(
            "consensus-1", "consensus-node",
            "consensus-2", "consensus-node",
            "consensus-3", "consensus-node",
            "lock-service", "lock-service",
            "queue-service", "queue-service",
            "cache-1", "cache-service",
            "cache-2", "cache-service");

    private static Tree services() {
        return COMPOSE.get("services");
    }

    private static Map<String, String> env(String service) {
        Map<String, String> env = new TreeMap<>();
        services().get(service).get("environment").map().forEach((k, v) -> env.put(k, String.valueOf(v)));
        return env;
    }

    @Test
    void the_stack_has_three_nodes_the_services_two_caches_prometheus_and_grafana() {
        Set<String> expected = new HashSet<>(MODULES.keySet());
        expected.addAll(Set.of("prometheus", "grafana"));
        assertThat(services().map().keySet()).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void every_service_has_an_image_or_a_build_and_publishes_a_distinct_port() {
        Set<String> hostPorts = new HashSet<>();
        for (var entry : services().map().entrySet()) {
            Tree service = services().get(entry.getKey());
            assertThat(service.has("image") || service.has("build"))
                    .as(entry.getKey())
                    .isTrue();
            List<Tree> ports = service.get("ports").list();
            assertThat(ports).as(entry.getKey()).isNotEmpty();
            for (Tree port : ports) {
                assertThat(hostPorts.add(port.string().split(":")[0]))
                        .as(port.path() + " host port is unique")
                        .isTrue();
            }
        }
    }

    @Test
    void sinkron_images_are_built_from_the_shared_dockerfile_with_their_module() {
        for (var entry : MODULES.entrySet()) {
            Tree build = services().get(entry.getKey()).get("build");
            assertThat(build.string("context")).isEqualTo(".");
            assertThat(Files.isRegularFile(Repository.path(build.string("dockerfile"))))
                    .isTrue();
            assertThat(build.at("args.MODULE").string()).as(entry.getKey()).isEqualTo(entry.getValue());
            assertThat(services().get(entry.getKey()).string("image"))
                    .isEqualTo("sinkron/" + entry.getValue() + ":dev");
        }
    }

    @Test
    void every_node_lists_the_same_members_each_a_compose_service_on_its_grpc_port() {
        List<String> lists = new ArrayList<>();
        for (String node : CONSENSUS) {
            Map<String, String> env = env(node);
            assertThat(env).containsEntry("NODE_ID", node);
            String clusterNodes = env.get("CLUSTER_NODES");
            lists.add(clusterNodes);
            Set<String> ids = new HashSet<>();
            for (String member : clusterNodes.split(",")) {
                String[] parts = member.split(":");
                assertThat(parts).as(member).hasSize(3);
                ids.add(parts[0]);
                assertThat(parts[1])
                        .as(member + ": id and host are the compose service")
                        .isEqualTo(parts[0]);
                assertThat(parts[2]).isEqualTo("7000");
            }
            assertThat(ids).containsExactlyInAnyOrderElementsOf(CONSENSUS);
        }
        assertThat(new HashSet<>(lists)).hasSize(1);
    }

    @Test
    void every_node_keeps_its_data_on_its_own_named_volume() {
        Set<String> volumes = new HashSet<>();
        for (String node : CONSENSUS) {
            String dataDir = env(node).get("DATA_DIR");
            List<String> mounts = services().get(node).get("volumes").list().stream()
                    .map(Tree::string)
                    .toList();
            String volume = mounts.stream()
                    .filter(m -> m.endsWith(":" + dataDir))
                    .map(m -> m.substring(0, m.indexOf(':')))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(node + " mounts nothing at " + dataDir));
            assertThat(COMPOSE.get("volumes").map()).containsKey(volume);
            assertThat(volumes.add(volume))
                    .as(volume + " is used by one node only")
                    .isTrue();
        }
    }

    @Test
    void the_services_reach_every_node_and_start_after_the_cluster_is_healthy() {
        String nodes = CONSENSUS.stream().sorted().map(n -> n + ":7000").collect(Collectors.joining(","));
        for (String service : List.of("lock-service", "queue-service", "cache-1", "cache-2")) {
            assertThat(env(service)).as(service).containsEntry("CONSENSUS_NODES", nodes);
            for (String node : CONSENSUS) {
                assertThat(services()
                                .get(service)
                                .at("depends_on." + node + ".condition")
                                .string())
                        .isEqualTo("service_healthy");
            }
        }
        assertThat(env("cache-1").get("CACHE_INSTANCE_ID"))
                .isNotEqualTo(env("cache-2").get("CACHE_INSTANCE_ID"));
    }

    /** The dashboards select services by the application tag; every process must carry its own. */
    @Test
    void every_process_tags_its_metrics_with_its_application() {
        MODULES.forEach((service, module) ->
                assertThat(env(service)).as(service).containsEntry("MANAGEMENT_METRICS_TAGS_APPLICATION", module));
    }

    @Test
    void prometheus_scrapes_every_sinkron_process_on_its_actuator_endpoint() {
        Tree config = Yamls.load(Repository.path("deploy/prometheus/prometheus.yml"));
        Set<String> scraped = new HashSet<>();
        for (Tree job : config.get("scrape_configs").list()) {
            assertThat(job.string("metrics_path")).isEqualTo("/actuator/prometheus");
            for (Tree staticConfig : job.get("static_configs").list()) {
                staticConfig.get("targets").list().forEach(t -> scraped.add(t.string()));
            }
        }
        Set<String> expected = MODULES.keySet().stream()
                .map(s -> s + ":" + env(s).get("SERVER_PORT"))
                .collect(Collectors.toSet());
        assertThat(scraped).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(services().at("prometheus.volumes").list().stream().map(Tree::string))
                .contains("./deploy/prometheus:/etc/prometheus:ro");
    }

    /**
     * Compose itself validates the file, without a daemon: the docker compose plugin where the
     * docker CLI has it, else Debian's docker-compose package.
     */
    @Test
    void docker_compose_accepts_the_file() {
        Tool.Result result = compose("", "config", "--quiet");
        assertThat(result.ok()).as(result.output()).isTrue();
    }

    /**
     * Where no registry is reachable, {@code BASE_IMAGE=sinkron-base:local docker compose build}
     * builds every Sinkron image on the base image of docker/base-image.sh: compose's own
     * rendering of the file, with the variable set, passes it to each of the seven builds.
     */
    @Test
    void docker_compose_passes_base_image_to_every_sinkron_build() {
        Tool.Result result = compose("sinkron-base:local", "config");
        assertThat(result.ok()).as(result.output()).isTrue();
        Tree rendered = Yamls.parse(result.output(), "docker compose config");
        for (var entry : MODULES.entrySet()) {
            Tree args = rendered.at("services." + entry.getKey() + ".build.args");
            assertThat(args.string("BASE_IMAGE")).as(entry.getKey()).isEqualTo("sinkron-base:local");
            assertThat(args.string("MODULE")).as(entry.getKey()).isEqualTo(entry.getValue());
        }
        Tool.Result unset = compose("", "config");
        assertThat(unset.ok()).as(unset.output()).isTrue();
        Tree defaults = Yamls.parse(unset.output(), "docker compose config");
        assertThat(defaults.at("services.consensus-1.build.args.BASE_IMAGE").string())
                .as("the default, as in docker/Dockerfile")
                .isEqualTo("eclipse-temurin:25-jre");
    }

    /** Compose with {@code BASE_IMAGE} set to {@code baseImage}; empty means unset to compose. */
    private static Tool.Result compose(String baseImage, String... args) {
        Optional<Tool> docker = Tool.find("docker")
                .filter(d -> d.run(Repository.ROOT, "compose", "version").ok());
        Optional<Tool> standalone = Tool.find("docker-compose");
        assumeTrue(
                docker.isPresent() || standalone.isPresent(),
                "neither docker compose nor docker-compose is installed: apt-get install -y docker-compose");
        List<String> command = new ArrayList<>();
        if (docker.isPresent()) {
            command.add("compose");
        }
        command.addAll(List.of("--file", "docker-compose.yml"));
        command.addAll(List.of(args));
        return docker.orElseGet(standalone::get)
                .run(Repository.ROOT, Map.of("BASE_IMAGE", baseImage), command.toArray(String[]::new));
    }
}
