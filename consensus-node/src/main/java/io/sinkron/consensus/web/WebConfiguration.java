package io.sinkron.consensus.web;

import io.sinkron.web.RequestBodyLimit;
import io.sinkron.web.TomcatSafeguards;
import io.sinkron.web.Utf8RequestBodies;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.type.LogicalType;

/** How the admin HTTP endpoints read requests and answer errors. */
@Configuration(proxyBeanMethods = false)
public class WebConfiguration {

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

    /**
     * Admin bodies are a node id and an address; anything beyond {@code
     * sinkron.admin.max-request-size} is refused with 413 before it is read.
     */
    @Bean
    RequestBodyLimit requestBodyLimit(@Value("${sinkron.admin.max-request-size:16KB}") DataSize limit) {
        return new RequestBodyLimit(limit.toBytes());
    }

    /**
     * An admin request is taken as written or refused: a misspelt field ({@code "nodeId"}) or a
     * value of the wrong type ({@code "node_id": 7}, {@code "voter": "false"}) would otherwise turn
     * into a different membership change than the one the operator meant.
     */
    @Bean
    JsonMapperBuilderCustomizer strictAdminJson() {
        return builder -> builder.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .withCoercionConfig(
                        LogicalType.Textual,
                        text -> text.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfig(
                        LogicalType.Boolean,
                        bool -> bool.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                                .setAcceptBlankAsEmpty(false));
    }
}
