package io.sinkron.web;

import jakarta.servlet.ServletException;
import java.io.IOException;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;

/**
 * What the embedded Tomcat of every Sinkron HTTP module does besides serving the API: it answers
 * its own errors as problem details ({@link ProblemReportValve}) and refuses paths with
 * parameters.
 */
public final class TomcatSafeguards {

    private TomcatSafeguards() {}

    /** Installs the safeguards in {@code context}; for a Spring Boot {@code TomcatContextCustomizer}. */
    public static void install(Context context) {
        ProblemReportValve.install(context);
        context.getPipeline().addValve(new PathParameterRefusal());
    }

    /**
     * Refuses a request whose path has a parameter ({@code ;name} after a segment, RFC 3986 3.3)
     * with 400. Tomcat and Spring MVC strip path parameters before matching, so {@code
     * /locks/a;b} would act on lock {@code a}: an id the API refuses would silently name another
     * resource. No Sinkron API takes path parameters; an id with a ";" in it is sent as {@code %3B}.
     */
    static final class PathParameterRefusal extends ValveBase {

        PathParameterRefusal() {
            super(true);
        }

        @Override
        public void invoke(Request request, Response response) throws IOException, ServletException {
            String uri = request.getRequestURI();
            if (uri != null && uri.indexOf(';') >= 0) {
                response.sendError(Response.SC_BAD_REQUEST);
                return;
            }
            getNext().invoke(request, response);
        }
    }
}
