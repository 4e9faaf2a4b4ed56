package io.sinkron.queue.web;

import io.sinkron.web.ProblemReportValve;
import io.sinkron.web.Utf8RequestBodies;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** How the servlet container reads request bodies and answers the errors it finds itself. */
@Configuration(proxyBeanMethods = false)
class WebConfiguration {

    /** The errors Tomcat answers itself (malformed HTTP, escaped exceptions) are problem details too. */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemReports() {
        return factory -> factory.addContextCustomizers(ProblemReportValve::install);
    }

    /** JSON bodies are well-formed UTF-8 or refused. */
    @Bean
    Utf8RequestBodies utf8RequestBodies() {
        return new Utf8RequestBodies();
    }
}
