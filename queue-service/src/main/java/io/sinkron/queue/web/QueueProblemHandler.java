package io.sinkron.queue.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.sinkron.client.ConsensusException;
import io.sinkron.queue.service.QueueProblem;
import io.sinkron.web.RequestBodyLimit;
import java.net.URI;
import java.util.Locale;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.validation.method.ParameterErrors;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Every error as an RFC 9457 problem detail whose {@code type} names the kind of error ({@link
 * ProblemTypes}). Bad input of any sort is a 4xx: malformed JSON, fields of the wrong type or
 * unknown fields, constraint violations.
 */
@RestControllerAdvice
class QueueProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(QueueProblemHandler.class);
    private static final URI ABOUT_BLANK = URI.create("about:blank");

    @ExceptionHandler(QueueProblem.class)
    ResponseEntity<ProblemDetail> queueProblem(QueueProblem e) {
        return switch (e.kind()) {
            case VALIDATION -> problem(HttpStatus.BAD_REQUEST, ProblemTypes.VALIDATION, "Invalid request", e);
            case PAYLOAD_TOO_LARGE ->
                problem(HttpStatus.CONTENT_TOO_LARGE, ProblemTypes.PAYLOAD_TOO_LARGE, "Payload too large", e);
            case NOT_FOUND -> problem(HttpStatus.NOT_FOUND, ProblemTypes.NOT_FOUND, "Not found", e);
            case STALE_RECEIPT -> problem(HttpStatus.CONFLICT, ProblemTypes.STALE_RECEIPT, "Stale receipt", e);
            case QUEUE_FULL -> problem(HttpStatus.TOO_MANY_REQUESTS, ProblemTypes.QUEUE_FULL, "Queue full", e);
            case CONFLICT -> problem(HttpStatus.CONFLICT, ProblemTypes.CONFLICT, "Conflict", e);
        };
    }

    /**
     * The cluster gave no definitive answer. For a command the outcome is unknown (it may still be
     * applied), which the detail says; retrying an enqueue with a dedup id is safe.
     */
    @ExceptionHandler(ConsensusException.class)
    ResponseEntity<ProblemDetail> consensusUnavailable(ConsensusException e) {
        ResponseEntity<ProblemDetail> response = problem(
                HttpStatus.SERVICE_UNAVAILABLE, ProblemTypes.CONSENSUS_UNAVAILABLE, "Consensus cluster unavailable", e);
        response.getBody().setProperty("reason", e.reason().name());
        return response;
    }

    /** A receipt of an ack list that does not bind (the list is read as a JSON tree first). */
    @ExceptionHandler(JacksonException.class)
    ResponseEntity<ProblemDetail> unbindable(JacksonException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, describe(e));
        problem.setType(ProblemTypes.VALIDATION);
        return ResponseEntity.badRequest()
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        log.error("request failed unexpectedly", e);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.INTERNAL_SERVER_ERROR, "internal error; see the service log");
        problem.setType(ProblemTypes.INTERNAL);
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        if (RequestBodyLimit.causedBy(e)) {
            ProblemDetail problem =
                    ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE, "request body is too large");
            problem.setType(ProblemTypes.PAYLOAD_TOO_LARGE);
            return handleExceptionInternal(e, problem, headers, HttpStatus.CONTENT_TOO_LARGE, request);
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, unreadable(e));
        return handleExceptionInternal(e, problem, headers, HttpStatus.BAD_REQUEST, request);
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(
            MethodArgumentNotValidException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        Object target = e.getBindingResult().getTarget();
        String detail = e.getBindingResult().getFieldErrors().stream()
                .map(f -> fieldError(target, f))
                .sorted()
                .collect(Collectors.joining("; "));
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        return handleExceptionInternal(e, problem, headers, HttpStatus.BAD_REQUEST, request);
    }

    /** Constraint violations of a path variable or of a request body, named as the client wrote them. */
    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(
            HandlerMethodValidationException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String detail = e.getParameterValidationResults().stream()
                .flatMap(r -> r instanceof ParameterErrors errors
                        ? errors.getFieldErrors().stream().map(f -> fieldError(errors.getArgument(), f))
                        : r.getResolvableErrors().stream()
                                .map(error -> parameterName(r.getMethodParameter()) + " " + error.getDefaultMessage()))
                .sorted()
                .collect(Collectors.joining("; "));
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        return handleExceptionInternal(e, problem, headers, HttpStatus.BAD_REQUEST, request);
    }

    /**
     * Gives the problems Spring MVC itself raises (405, 415, ...) a type of their own too, and a
     * Content-Type that is set rather than negotiated, so that a problem is written even when the
     * Accept header is what went wrong.
     */
    @Override
    protected ResponseEntity<Object> createResponseEntity(
            Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        if (body instanceof ProblemDetail problem
                && (problem.getType() == null || ABOUT_BLANK.equals(problem.getType()))) {
            problem.setType(typeFor(status));
        }
        HttpHeaders problemHeaders = new HttpHeaders();
        problemHeaders.putAll(headers);
        problemHeaders.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        return super.createResponseEntity(body, problemHeaders, status, request);
    }

    /**
     * A multipart body that cannot even be parsed, which Spring MVC meets before it looks for an
     * endpoint. No endpoint takes multipart, so it is the media type that is refused.
     */
    @ExceptionHandler(MultipartException.class)
    ResponseEntity<ProblemDetail> multipart(MultipartException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.UNSUPPORTED_MEDIA_TYPE, "request bodies are JSON, not multipart");
        problem.setType(typeFor(HttpStatus.UNSUPPORTED_MEDIA_TYPE));
        return ResponseEntity.status(HttpStatus.UNSUPPORTED_MEDIA_TYPE)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }

    private static String parameterName(MethodParameter parameter) {
        PathVariable path = parameter.getParameterAnnotation(PathVariable.class);
        return path != null && !path.value().isEmpty() ? path.value() : parameter.getParameterName();
    }

    /**
     * "{@code delay_ms} must be ...": a field error named by the JSON property path, which is the
     * snake_case of the Java path unless a top-level component says otherwise with {@code @JsonProperty}.
     */
    private static String fieldError(Object target, FieldError error) {
        String[] segments = error.getField().split("\\.");
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < segments.length; i++) {
            int bracket = segments[i].indexOf('[');
            String name = bracket < 0 ? segments[i] : segments[i].substring(0, bracket);
            String index = bracket < 0 ? "" : segments[i].substring(bracket);
            path.append(i == 0 ? "" : ".")
                    .append(jsonName(i == 0 ? target : null, name))
                    .append(index);
        }
        return path + " " + error.getDefaultMessage();
    }

    private static String jsonName(Object target, String field) {
        if (target != null) {
            try {
                JsonProperty property =
                        target.getClass().getDeclaredField(field).getAnnotation(JsonProperty.class);
                if (property != null && !property.value().isEmpty()) {
                    return property.value();
                }
            } catch (NoSuchFieldException e) {
                // Not a component of the body itself; fall back to the naming convention.
            }
        }
        return field.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    private static URI typeFor(HttpStatusCode status) {
        if (status.value() == HttpStatus.BAD_REQUEST.value()) {
            return ProblemTypes.VALIDATION;
        }
        if (status.value() == HttpStatus.NOT_FOUND.value()) {
            return ProblemTypes.NOT_FOUND;
        }
        HttpStatus known = HttpStatus.resolve(status.value());
        String kind = known == null
                ? "http-" + status.value()
                : known.getReasonPhrase().toLowerCase(Locale.ROOT).replace(' ', '-');
        return ProblemTypes.of(kind);
    }

    private static String unreadable(HttpMessageNotReadableException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JacksonException jackson) {
                return describe(jackson);
            }
        }
        return "a JSON request body of the documented shape is required";
    }

    private static String describe(JacksonException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            return "unknown field '" + path(unknown) + "'";
        }
        if (e instanceof StreamReadException) {
            return "the request body is not well-formed JSON";
        }
        if (!e.getPath().isEmpty()) {
            return "field '" + path(e) + "' has the wrong type or value";
        }
        return "the request body does not have the documented shape";
    }

    private static String path(JacksonException e) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference r : e.getPath()) {
            if (r.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(r.getPropertyName());
            } else {
                path.append('[').append(r.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, URI type, String title, Exception e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, e.getMessage());
        problem.setType(type);
        problem.setTitle(title);
        return ResponseEntity.status(status)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }
}
