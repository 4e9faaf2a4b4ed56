package io.sinkron.cache.web;

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
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import tools.jackson.databind.JsonNode;

/** Web MVC, Tomcat and OpenAPI settings of the REST API. */
@Configuration(proxyBeanMethods = false)
public class WebConfiguration implements WebMvcConfigurer {

    static {
        // PutRequest takes raw JSON nodes; documented by their annotations, not as Jackson's class.
        // springdoc's type replacements are global by design.
        SpringDocUtils.getConfig().replaceWithSchema(JsonNode.class, new JsonSchema());
    }

    private final CacheRequests requests;

    public WebConfiguration(CacheRequests requests) {
        this.requests = requests;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new BodySizeLimit(requests)).addPathPatterns("/cache/**");
    }

    /** Tomcat answers its own errors (malformed HTTP, escaped exceptions) as problem details, and refuses path parameters. */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemReports() {
        return factory -> factory.addContextCustomizers(TomcatSafeguards::install);
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
