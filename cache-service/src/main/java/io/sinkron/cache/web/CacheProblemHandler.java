package io.sinkron.cache.web;

import io.sinkron.cache.KeyBusyException;
import io.sinkron.cache.KeyNotFoundException;
import io.sinkron.cache.VersionMismatchException;
import io.sinkron.cache.WriteNotConfirmedException;
import io.sinkron.client.ConsensusException;
import io.sinkron.web.RequestBodyLimit;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error as an RFC 9457 problem detail with a stable {@code type}: the service's own errors
 * here, and Spring MVC's (malformed JSON, wrong media type, unknown path, ...) typed by status.
 */
@RestControllerAdvice
public class CacheProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(CacheProblemHandler.class);

    /** Seconds a client should wait before retrying when the cluster is unreachable. */
    private static final String RETRY_AFTER_SECONDS = "1";

    private static final URI ABOUT_BLANK = URI.create("about:blank");

    private final long maxBodyBytes;

    public CacheProblemHandler(CacheRequests requests) {
        this.maxBodyBytes = requests.maxBodyBytes();
    }

    @ExceptionHandler
    ProblemDetail notFound(KeyNotFoundException e) {
        ProblemDetail problem = problem(HttpStatus.NOT_FOUND, ProblemTypes.NOT_FOUND, "Key not found", e);
        problem.setProperty("key", e.key());
        return problem;
    }

    @ExceptionHandler
    ProblemDetail versionMismatch(VersionMismatchException e) {
        ProblemDetail problem =
                problem(HttpStatus.PRECONDITION_FAILED, ProblemTypes.VERSION_MISMATCH, "Version mismatch", e);
        problem.setProperty("key", e.key());
        problem.setProperty("current_version", e.currentVersion() == 0 ? null : e.currentVersion());
        return problem;
    }

    @ExceptionHandler
    ProblemDetail invalid(InvalidRequestException e) {
        return problem(HttpStatus.BAD_REQUEST, ProblemTypes.VALIDATION, "Invalid request", e);
    }

    @ExceptionHandler
    ProblemDetail tooLarge(PayloadTooLargeException e) {
        ProblemDetail problem =
                problem(HttpStatus.CONTENT_TOO_LARGE, ProblemTypes.PAYLOAD_TOO_LARGE, "Payload too large", e);
        problem.setProperty("limit_bytes", e.limitBytes());
        return problem;
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> unavailable(ConsensusException e) {
        ProblemDetail problem = problem(
                HttpStatus.SERVICE_UNAVAILABLE,
                ProblemTypes.UNAVAILABLE,
                "Consensus cluster unavailable",
                "The consensus cluster could not be reached (" + e.reason()
                        + "). If this was a write, its outcome is unknown: read the key to find out.");
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
                .body(problem);
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> busy(KeyBusyException e) {
        ProblemDetail problem = problem(HttpStatus.SERVICE_UNAVAILABLE, ProblemTypes.UNAVAILABLE, "Key busy", e);
        problem.setProperty("key", e.key());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
                .body(problem);
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> notConfirmed(WriteNotConfirmedException e) {
        ProblemDetail problem =
                problem(HttpStatus.SERVICE_UNAVAILABLE, ProblemTypes.WRITE_NOT_CONFIRMED, "Write not confirmed", e);
        problem.setProperty("key", e.key());
        problem.setProperty("version", e.version());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
                .body(problem);
    }

    @ExceptionHandler
    ProblemDetail unexpected(Exception e) {
        log.error("request failed unexpectedly", e);
        return problem(
                HttpStatus.INTERNAL_SERVER_ERROR,
                ProblemTypes.INTERNAL,
                "Internal error",
                "The request failed unexpectedly; the server log has the details.");
    }

    /**
     * A multipart body that cannot even be parsed, which Spring MVC meets before it looks for an
     * endpoint. No endpoint takes multipart, so it is the media type that is refused.
     */
    @ExceptionHandler
    ProblemDetail multipart(MultipartException e) {
        return problem(
                HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                ProblemTypes.UNSUPPORTED_MEDIA_TYPE,
                "Unsupported media type",
                "Request bodies are JSON, not multipart.");
    }

    /**
     * A chunked body that ran past the size limit while it was read (see {@link
     * RequestBodyLimit}); any other unreadable body is Spring MVC's 400.
     */
    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        if (RequestBodyLimit.causedBy(e)) {
            ProblemDetail problem = problem(
                    HttpStatus.CONTENT_TOO_LARGE,
                    ProblemTypes.PAYLOAD_TOO_LARGE,
                    "Payload too large",
                    "the request body exceeds the limit of " + maxBodyBytes + " bytes");
            problem.setProperty("limit_bytes", maxBodyBytes);
            return handleExceptionInternal(e, problem, headers, HttpStatus.CONTENT_TOO_LARGE, request);
        }
        return super.handleHttpMessageNotReadable(e, headers, status, request);
    }

    /**
     * Spring MVC's own problem details get this service's type for their status, and a
     * Content-Type that is set rather than negotiated, so that a problem is written even when the
     * Accept header is what went wrong.
     */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(
            Exception ex, Object body, HttpHeaders headers, HttpStatusCode statusCode, WebRequest request) {
        HttpHeaders problemHeaders = new HttpHeaders();
        problemHeaders.putAll(headers);
        problemHeaders.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        ResponseEntity<Object> response = super.handleExceptionInternal(ex, body, problemHeaders, statusCode, request);
        if (response != null
                && response.getBody() instanceof ProblemDetail problem
                && (problem.getType() == null || ABOUT_BLANK.equals(problem.getType()))) {
            URI type = ProblemTypes.forStatus(statusCode);
            if (type != null) {
                problem.setType(type);
            }
        }
        return response;
    }

    private static ProblemDetail problem(HttpStatus status, URI type, String title, Exception e) {
        return problem(status, type, title, e.getMessage());
    }

    private static ProblemDetail problem(HttpStatus status, URI type, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(type);
        problem.setTitle(title);
        return problem;
    }
}
