package io.sinkron.cache.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.server.PathContainer;
import org.springframework.web.filter.ServerHttpObservationFilter;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.handler.AbstractHandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Finds the handlers of {@code GET /cache/{key}} and {@code PUT /cache/{key}}, the near-cache read
 * and the write, before the other handler mappings are asked. Spring MVC would otherwise ask the
 * actuator's mappings first and then match the request against every annotated route of the
 * application (the cache's, springdoc's), since a route with a path variable is no direct path; on
 * a near-cache hit that search cost more CPU than the cache itself.
 *
 * <p>It hands over exactly what {@code RequestMappingHandlerMapping} would: the controller's
 * method, the path variable, the best matching pattern (which the {@code http.server.requests}
 * metrics use as {@code uri}) and the producible media type. Whatever it is not certain to map the
 * same way (another method, an {@code Accept} or {@code Content-Type} header it would have to
 * negotiate, {@code /cache/stats}, a path the pattern does not match) it leaves to the usual
 * mappings, which then answer as they always did (405, 406, 415, ...).
 */
final class CacheKeyMapping extends AbstractHandlerMapping {

    static final String PATTERN = "/cache/{key}";

    private static final String PREFIX = "/cache/";
    private static final Set<MediaType> PRODUCIBLE = Set.of(MediaType.APPLICATION_JSON);
    /** Accept and Content-Type headers already judged; clients send few distinct ones. */
    private static final int HEADER_MEMORY = 64;

    private final HandlerMethod get;
    private final HandlerMethod put;
    private final PathPattern pattern = PathPatternParser.defaultInstance.parse(PATTERN);
    private final Map<String, Boolean> acceptsJson = new ConcurrentHashMap<>();
    private final Map<String, Boolean> isJson = new ConcurrentHashMap<>();

    CacheKeyMapping(CacheController controller) {
        try {
            this.get = new HandlerMethod(
                    controller,
                    CacheController.class.getMethod(
                            "get", String.class, HttpServletRequest.class, HttpServletResponse.class));
            this.put = new HandlerMethod(
                    controller,
                    CacheController.class.getMethod(
                            "put", String.class, PutRequest.class, String.class, HttpServletResponse.class));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("CacheController's get or put changed its parameters", e);
        }
        setOrder(Ordered.HIGHEST_PRECEDENCE);
    }

    @Override
    protected Object getHandlerInternal(HttpServletRequest request) {
        HandlerMethod handler = switch (request.getMethod()) {
            case "GET" -> get;
            case "PUT" -> put;
            default -> null;
        };
        if (handler == null || !ServletRequestPathUtils.hasParsedRequestPath(request)) {
            return null;
        }
        PathContainer path =
                ServletRequestPathUtils.getParsedRequestPath(request).pathWithinApplication();
        String value = path.value();
        if (!value.startsWith(PREFIX) || value.equals("/cache/stats") || !acceptsJson(request)) {
            return null;
        }
        if (handler == put && !contentIsJson(request)) {
            return null;
        }
        PathPattern.PathMatchInfo match = pattern.matchAndExtract(path);
        if (match == null) {
            return null;
        }
        request.setAttribute(HandlerMapping.PATH_WITHIN_HANDLER_MAPPING_ATTRIBUTE, value);
        request.setAttribute(HandlerMapping.BEST_MATCHING_HANDLER_ATTRIBUTE, handler);
        request.setAttribute(HandlerMapping.MATRIX_VARIABLES_ATTRIBUTE, match.getMatrixVariables());
        request.setAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE, PATTERN);
        ServerHttpObservationFilter.findObservationContext(request)
                .ifPresent(context -> context.setPathPattern(PATTERN));
        request.setAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE, match.getUriVariables());
        request.setAttribute(HandlerMapping.PRODUCIBLE_MEDIA_TYPES_ATTRIBUTE, PRODUCIBLE);
        return handler;
    }

    /**
     * Whether the body is declared {@code application/json} (parameters such as a charset allowed),
     * as the write's {@code consumes} requires; anything else is for the usual mapping to refuse.
     */
    private boolean contentIsJson(HttpServletRequest request) {
        String contentType = request.getContentType();
        if (contentType == null) {
            return false;
        }
        return remember(
                isJson, contentType, () -> MediaType.APPLICATION_JSON.includes(MediaType.parseMediaType(contentType)));
    }

    /**
     * Whether the request certainly accepts JSON: no {@code Accept}, or one naming a type
     * compatible with {@code application/json} at a quality above 0. Anything else (406, a
     * malformed header) is for the usual mapping to answer.
     */
    private boolean acceptsJson(HttpServletRequest request) {
        String accept = request.getHeader(HttpHeaders.ACCEPT);
        if (accept == null) {
            return true;
        }
        return remember(
                acceptsJson,
                accept,
                () -> MediaType.parseMediaTypes(accept).stream()
                        .anyMatch(type ->
                                type.getQualityValue() > 0 && type.isCompatibleWith(MediaType.APPLICATION_JSON)));
    }

    /** A header's verdict, remembered for the few distinct values clients send; false if malformed. */
    private static boolean remember(Map<String, Boolean> memory, String header, BooleanSupplier judge) {
        Boolean known = memory.get(header);
        if (known != null) {
            return known;
        }
        boolean verdict;
        try {
            verdict = judge.getAsBoolean();
        } catch (InvalidMediaTypeException e) {
            verdict = false;
        }
        if (memory.size() < HEADER_MEMORY) {
            memory.put(header, verdict);
        }
        return verdict;
    }
}
