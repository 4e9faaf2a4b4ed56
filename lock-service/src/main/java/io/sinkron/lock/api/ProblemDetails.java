package io.sinkron.lock.api;

import io.sinkron.client.ConsensusException;
import io.sinkron.lock.service.LockProblem;
import io.sinkron.lock.service.ProblemKind;
import io.sinkron.web.RequestBodyLimit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
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
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.MismatchedInputException;

/**
 * Every error as an RFC 9457 problem detail whose {@code type} names its kind
 * ({@code https://sinkron.io/problems/<kind>}), including the ones Spring MVC detects itself
 * (unreadable JSON, failed validation, unknown routes). Validation problems list the offending
 * fields under {@code errors}, by their JSON names.
 */
@RestControllerAdvice
class ProblemDetails extends ResponseEntityExceptionHandler {

    @ExceptionHandler(LockProblem.class)
    ResponseEntity<ProblemDetail> lockProblem(LockProblem problem) {
        ProblemDetail detail = problem(problem.kind(), problem.getMessage());
        problem.properties().forEach(detail::setProperty);
        return respond(detail);
    }

    @ExceptionHandler(ConsensusException.class)
    ResponseEntity<ProblemDetail> unavailable(ConsensusException e) {
        ProblemDetail detail = problem(ProblemKind.UNAVAILABLE, e.getMessage());
        detail.setProperty("reason", e.reason().name().toLowerCase(Locale.ROOT));
        return respond(detail);
    }

    /** A chunked body that ran past the size limit while it was read (see {@link RequestBodyLimit}). */
    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        if (RequestBodyLimit.causedBy(e)) {
            ProblemDetail detail = ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE, rootMessage(e));
            return handleExceptionInternal(e, detail, headers, HttpStatus.CONTENT_TOO_LARGE, request);
        }
        return super.handleHttpMessageNotReadable(e, headers, status, request);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (!(t instanceof RequestBodyLimit.TooLarge) && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    @Override
    protected ResponseEntity<Object> handleExceptionInternal(
            Exception ex, Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ProblemDetail detail = body instanceof ProblemDetail p ? p : ProblemDetail.forStatus(status);
        ProblemKind kind = kindOf(status);
        if (kind != null) {
            detail.setType(kind.type());
            detail.setTitle(kind.title());
        }
        List<Map<String, String>> errors = errors(ex);
        if (!errors.isEmpty()) {
            detail.setProperty("errors", errors);
            detail.setDetail(errors.stream()
                    .map(e -> e.get("field") + " " + e.get("message"))
                    .collect(Collectors.joining("; ")));
        }
        if (ex instanceof HttpMessageNotReadableException unreadable && !RequestBodyLimit.causedBy(ex)) {
            detail.setDetail(unreadable(unreadable));
        }
        // Set, not negotiated: a problem is written even when the Accept header is what went wrong.
        HttpHeaders problemHeaders = new HttpHeaders();
        problemHeaders.putAll(headers);
        problemHeaders.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        return super.handleExceptionInternal(ex, detail, problemHeaders, status, request);
    }

    /**
     * A multipart body that cannot even be parsed, which Spring MVC meets before it looks for an
     * endpoint. No endpoint takes multipart, so it is the media type that is refused.
     */
    @ExceptionHandler(MultipartException.class)
    ResponseEntity<ProblemDetail> multipart(MultipartException e) {
        return respond(
                problem(ProblemKind.UNSUPPORTED_MEDIA_TYPE, "This API takes JSON request bodies, not multipart."));
    }

    private static ProblemKind kindOf(HttpStatusCode status) {
        return switch (status.value()) {
            case 400 -> ProblemKind.VALIDATION;
            case 404 -> ProblemKind.NOT_FOUND;
            case 405 -> ProblemKind.METHOD_NOT_ALLOWED;
            case 406 -> ProblemKind.NOT_ACCEPTABLE;
            case 413 -> ProblemKind.PAYLOAD_TOO_LARGE;
            case 415 -> ProblemKind.UNSUPPORTED_MEDIA_TYPE;
            case 503 -> ProblemKind.UNAVAILABLE;
            default -> null;
        };
    }

    private static List<Map<String, String>> errors(Exception ex) {
        List<Map<String, String>> errors = new ArrayList<>();
        if (ex instanceof MethodArgumentNotValidException invalid) {
            invalid.getFieldErrors().forEach(e -> errors.add(error(snakeCase(e.getField()), e.getDefaultMessage())));
        } else if (ex instanceof HandlerMethodValidationException invalid) {
            for (var result : invalid.getParameterValidationResults()) {
                if (result instanceof ParameterErrors body) {
                    for (FieldError e : body.getFieldErrors()) {
                        errors.add(error(snakeCase(e.getField()), e.getDefaultMessage()));
                    }
                } else {
                    String name = parameterName(result.getMethodParameter());
                    result.getResolvableErrors().forEach(e -> errors.add(error(name, e.getDefaultMessage())));
                }
            }
        } else if (ex instanceof HttpMessageNotReadableException unreadable
                && unreadable.getCause() instanceof JacksonException json
                && !malformed(json)
                && !json.getPath().isEmpty()) {
            errors.add(error(path(json), expectation(json)));
        }
        return errors;
    }

    /** A syntax error, as opposed to well-formed JSON with a value of the wrong type or range. */
    private static boolean malformed(JacksonException json) {
        return json instanceof StreamReadException && !(json instanceof InputCoercionException);
    }

    private static String unreadable(HttpMessageNotReadableException ex) {
        if (ex.getCause() instanceof JacksonException json && malformed(json)) {
            return "The request body is not well-formed JSON.";
        }
        if (ex.getCause() instanceof JacksonException json && !json.getPath().isEmpty()) {
            return "The request body has a field of the wrong type or with an unknown value.";
        }
        return "The request body is missing or unreadable.";
    }

    private static String expectation(JacksonException json) {
        if (json instanceof InputCoercionException) {
            return "must be an integer within range";
        }
        if (json instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            Class<?> target = mismatch.getTargetType();
            if (target.isEnum()) {
                return "must be one of "
                        + Arrays.stream(target.getEnumConstants())
                                .map(c -> c.toString().toLowerCase(Locale.ROOT))
                                .collect(Collectors.joining(", "));
            }
            if (Number.class.isAssignableFrom(target) || target.isPrimitive()) {
                return "must be an integer within range";
            }
            return "must be a " + target.getSimpleName().toLowerCase(Locale.ROOT);
        }
        return "has an invalid value";
    }

    private static String path(JacksonException json) {
        return json.getPath().stream()
                .map(r -> r.getPropertyName() != null ? r.getPropertyName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    private static String parameterName(MethodParameter parameter) {
        PathVariable path = parameter.getParameterAnnotation(PathVariable.class);
        if (path != null && !path.value().isEmpty()) {
            return path.value();
        }
        RequestParam param = parameter.getParameterAnnotation(RequestParam.class);
        if (param != null && !param.name().isEmpty()) {
            return param.name();
        }
        RequestHeader header = parameter.getParameterAnnotation(RequestHeader.class);
        if (header != null && !header.name().isEmpty()) {
            return header.name();
        }
        return snakeCase(String.valueOf(parameter.getParameterName()));
    }

    private static Map<String, String> error(String field, String message) {
        Map<String, String> error = new LinkedHashMap<>();
        error.put("field", field);
        error.put("message", message);
        return error;
    }

    private static String snakeCase(String javaName) {
        return javaName.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    private static ProblemDetail problem(ProblemKind kind, String message) {
        ProblemDetail detail = ProblemDetail.forStatusAndDetail(kind.status(), message);
        detail.setType(kind.type());
        detail.setTitle(kind.title());
        return detail;
    }

    private static ResponseEntity<ProblemDetail> respond(ProblemDetail detail) {
        return ResponseEntity.status(detail.getStatus())
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(detail);
    }
}
