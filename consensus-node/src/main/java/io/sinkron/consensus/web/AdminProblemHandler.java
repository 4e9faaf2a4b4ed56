package io.sinkron.consensus.web;

import io.sinkron.web.ProblemReportValve;
import io.sinkron.web.RequestBodyLimit;
import java.net.URI;
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
 * The errors Spring MVC detects itself in admin requests (unreadable JSON, unknown routes, wrong
 * methods and media types) as problem details with a {@code https://sinkron.io/problems/<kind>}
 * type, like the ones {@link ClusterController} answers.
 */
@RestControllerAdvice
class AdminProblemHandler extends ResponseEntityExceptionHandler {

    private static final URI ABOUT_BLANK = URI.create("about:blank");

    /**
     * A multipart body that cannot even be parsed, which Spring MVC meets before it looks for an
     * endpoint. No endpoint takes multipart, so it is the media type that is refused.
     */
    @ExceptionHandler(MultipartException.class)
    ResponseEntity<ProblemDetail> multipart(MultipartException e) {
        return ClusterController.problem(
                HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "request bodies are JSON, not multipart");
    }

    /** A chunked body that ran past the size limit while it was read (see {@link RequestBodyLimit}). */
    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        if (RequestBodyLimit.causedBy(e)) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                    HttpStatus.CONTENT_TOO_LARGE, "the request body exceeds the size limit");
            return handleExceptionInternal(e, problem, headers, HttpStatus.CONTENT_TOO_LARGE, request);
        }
        return super.handleHttpMessageNotReadable(e, headers, status, request);
    }

    /**
     * Types the problem by its status and sets its Content-Type rather than negotiating it, so that
     * a problem is written even when the Accept header is what went wrong.
     */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(
            Exception ex, Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = body instanceof ProblemDetail p ? p : ProblemDetail.forStatus(status);
        if (problem.getType() == null || ABOUT_BLANK.equals(problem.getType())) {
            problem.setType(URI.create(ProblemReportValve.type(status.value())));
        }
        HttpHeaders problemHeaders = new HttpHeaders();
        problemHeaders.putAll(headers);
        problemHeaders.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        return super.handleExceptionInternal(ex, problem, problemHeaders, status, request);
    }
}
