package io.sinkron.bench;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The framework's ceiling: a Spring MVC application configured like Sinkron's services (Tomcat,
 * virtual threads, Jackson) whose one endpoint returns a constant record shaped like a cache read,
 * with no work behind it. What a service serves at most on this machine is bounded by this.
 *
 * <pre>
 * java -cp benchmarks.jar:lib/* io.sinkron.bench.ConstantJsonApp --server.port=8090
 * </pre>
 */
@SpringBootApplication
public class ConstantJsonApp {

    static final String PATH = "/constant";

    /** Like the body of {@code GET /cache/{key}}. */
    public record Value(String key, String value, long version) {}

    @RestController
    static class ConstantController {

        private static final Value VALUE = new Value("constant", "x".repeat(100), 1);

        @GetMapping(PATH)
        Value constant() {
            return VALUE;
        }
    }

    public static void main(String[] args) {
        var app = new SpringApplication(ConstantJsonApp.class);
        app.setDefaultProperties(java.util.Map.of(
                "spring.threads.virtual.enabled", "true",
                "spring.main.banner-mode", "off",
                "logging.level.root", "warn"));
        app.run(args);
    }
}
