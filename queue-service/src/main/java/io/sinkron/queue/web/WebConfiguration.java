package io.sinkron.queue.web;

import io.sinkron.queue.QueueServiceProperties;
import io.sinkron.web.RequestBodyLimit;
import io.sinkron.web.TomcatSafeguards;
import io.sinkron.web.Utf8RequestBodies;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** How the servlet container reads request bodies and answers the errors it finds itself. */
@Configuration(proxyBeanMethods = false)
class WebConfiguration {

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

    /** Bodies beyond {@code max-request-size} are refused with 413 before they are read into memory. */
    @Bean
    RequestBodyLimit requestBodyLimit(QueueServiceProperties properties) {
        return new RequestBodyLimit(properties.maxRequestSize().toBytes());
    }
}
