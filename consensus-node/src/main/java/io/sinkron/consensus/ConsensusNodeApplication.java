package io.sinkron.consensus;

import io.sinkron.consensus.config.InvalidConfigurationException;
import io.sinkron.consensus.config.NodeSettings;
import io.sinkron.consensus.config.NodeSettingsResolver;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Entry point of a Sinkron consensus node. Configuration is resolved and checked before Spring
 * starts, so a bad configuration ends with one clear line on stderr and exit code 2.
 */
@SpringBootApplication
public class ConsensusNodeApplication {

    public static void main(String[] args) {
        NodeSettings settings;
        try {
            settings = NodeSettingsResolver.resolve(System.getenv(), args);
            NodeSettingsResolver.checkEnvironment(settings);
        } catch (InvalidConfigurationException e) {
            System.err.println("consensus-node: invalid configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        var app = new SpringApplication(ConsensusNodeApplication.class);
        app.setDefaultProperties(Map.of("server.port", settings.httpPort()));
        app.addInitializers(ctx -> ctx.getBeanFactory().registerSingleton("nodeSettings", settings));
        try {
            app.run(args);
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            System.err.println("consensus-node: failed to start: " + root);
            System.exit(1);
        }
    }
}
