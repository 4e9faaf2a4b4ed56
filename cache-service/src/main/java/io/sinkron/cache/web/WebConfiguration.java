package io.sinkron.cache.web;

import io.sinkron.web.RequestBodyLimit;
import io.sinkron.web.TomcatSafeguards;
import io.sinkron.web.Utf8RequestBodies;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.JsonSchema;
import io.swagger.v3.oas.models.servers.Server;
import java.util.List;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JsonNode;

/** Web MVC, Tomcat and OpenAPI settings of the REST API. */
@Configuration(proxyBeanMethods = false)
public class WebConfiguration {

    static {
        // PutRequest takes raw JSON nodes; documented by their annotations, not as Jackson's class.
        // springdoc's type replacements are global by design.
        SpringDocUtils.getConfig().replaceWithSchema(JsonNode.class, new JsonSchema());
    }

    /**
     * Bodies far larger than any acceptable value are refused with 413 before they are read into
     * memory, chunked ones included; the exact value limit is checked after parsing ({@link
     * CacheRequests#value}).
     */
    @Bean
    RequestBodyLimit requestBodyLimit(CacheRequests requests) {
        return new RequestBodyLimit(requests.maxBodyBytes());
    }

    /** Tomcat answers its own errors (malformed HTTP, escaped exceptions) as problem details, and refuses path parameters. */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemReports() {
        return factory -> factory.addContextCustomizers(TomcatSafeguards::install);
    }

    /** {@code GET} and {@code PUT /cache/{key}} are found before the other routes are searched. */
    @Bean
    CacheKeyMapping cacheKeyMapping(CacheController controller) {
        return new CacheKeyMapping(controller);
    }

    /** JSON bodies are well-formed UTF-8 or refused. */
    @Bean
    Utf8RequestBodies utf8RequestBodies() {
        return new Utf8RequestBodies();
    }

    @Bean
    OpenAPI cacheServiceOpenApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("Sinkron cache-service")
                        .version("v1")
                        .description("Coherent near caches: every instance keeps a bounded LRU cache whose lines are"
                                + " in MESI states, and the consensus cluster, home of every key, keeps the"
                                + " directory of holders. Once a write has returned through any instance, no"
                                + " instance returns an older value. Errors are RFC 9457 problem details with"
                                + " type https://sinkron.io/problems/<kind>."))
                // A relative server keeps the published document the same wherever it is served.
                .servers(List.of(new Server().url("/").description("this cache-service instance")));
    }
}
