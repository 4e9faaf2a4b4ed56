package io.sinkron.consensus.web;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Takes the place of Spring Boot's error page controller. Tomcat's own errors are problem details
 * ({@code io.sinkron.web.ProblemReportValve}), so nothing forwards to the error path any more,
 * and a request for it is one for a resource that does not exist, not Boot's 500 page.
 */
@RestController
class NoErrorPage implements ErrorController {

    @RequestMapping("${server.error.path:${error.path:/error}}")
    ResponseEntity<ProblemDetail> error() {
        return ClusterController.problem(HttpStatus.NOT_FOUND, "not-found", "no such resource");
    }
}
