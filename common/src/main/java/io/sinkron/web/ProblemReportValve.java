package io.sinkron.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.Writer;
import org.apache.catalina.Container;
import org.apache.catalina.Context;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.tomcat.util.descriptor.web.ErrorPage;

/**
 * Answers the errors that Tomcat raises itself, outside the application's exception handlers, as
 * RFC 9457 problem details with a {@code https://sinkron.io/problems/<kind>} type, like every
 * other error of Sinkron's HTTP APIs: requests that are not well-formed HTTP (a bad request line,
 * header or Content-Length, a body that ends early, an undecodable query string), methods the
 * servlet refuses (TRACE), and exceptions that escape the application.
 *
 * <p>Installed in the context's pipeline, it renders errors of the application before Tomcat would
 * forward them to an error page; in the host's pipeline, in place of the HTML error report, it
 * renders the ones found before the request reaches the application.
 */
public final class ProblemReportValve extends ErrorReportValve {

    public static final String TYPE_BASE = "https://sinkron.io/problems/";

    /**
     * Installs the valve in {@code context} and its host, replacing the host's HTML error report,
     * and drops the context's error pages: an error page would answer the errors Tomcat finds
     * before the context's pipeline runs (such as a refused TRACE) in its own format.
     */
    public static void install(Context context) {
        context.getPipeline().addValve(new ProblemReportValve());
        context.addLifecycleListener(event -> {
            if (Lifecycle.BEFORE_START_EVENT.equals(event.getType())) {
                for (ErrorPage page : context.findErrorPages()) {
                    context.removeErrorPage(page);
                }
            }
        });
        Container host = context.getParent();
        if (host instanceof StandardHost standard) {
            // The host adds a valve of this class when it starts, and none other.
            standard.setErrorReportValveClass(ProblemReportValve.class.getName());
        }
        // Other customizers (Spring Boot's among them) may still add HTML error reports; they go at start.
        host.addLifecycleListener(event -> {
            if (Lifecycle.BEFORE_START_EVENT.equals(event.getType())) {
                for (Valve valve : host.getPipeline().getValves()) {
                    if (valve instanceof ErrorReportValve && !(valve instanceof ProblemReportValve)) {
                        host.getPipeline().removeValve(valve);
                    }
                }
            }
        });
    }

    /** The problem type of an error Tomcat answers with {@code status}. */
    public static String type(int status) {
        return TYPE_BASE
                + switch (status) {
                    case HttpServletResponse.SC_BAD_REQUEST -> "validation";
                    case HttpServletResponse.SC_NOT_FOUND -> "not-found";
                    case HttpServletResponse.SC_METHOD_NOT_ALLOWED -> "method-not-allowed";
                    case HttpServletResponse.SC_NOT_ACCEPTABLE -> "not-acceptable";
                    case HttpServletResponse.SC_REQUEST_TIMEOUT -> "request-timeout";
                    case HttpServletResponse.SC_LENGTH_REQUIRED -> "length-required";
                    case HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE -> "payload-too-large";
                    case HttpServletResponse.SC_REQUEST_URI_TOO_LONG -> "uri-too-long";
                    case HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE -> "unsupported-media-type";
                    case 431 -> "header-fields-too-large";
                    case HttpServletResponse.SC_NOT_IMPLEMENTED -> "not-implemented";
                    case HttpServletResponse.SC_SERVICE_UNAVAILABLE -> "unavailable";
                    default -> status >= 500 ? "internal" : "http-" + status;
                };
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        var problem = new StringBuilder()
                .append("{\"type\":\"")
                .append(type(status))
                .append("\",\"title\":\"")
                .append(escape(title(status)))
                .append("\",\"status\":")
                .append(status)
                .append(",\"detail\":\"")
                .append(
                        status >= 500
                                ? "The request failed unexpectedly; the server log has the details."
                                : "The server refused the request before any endpoint handled it.")
                .append('"');
        String uri = request.getRequestURI();
        if (uri != null && !uri.isEmpty()) {
            problem.append(",\"instance\":\"").append(escape(uri)).append('"');
        }
        problem.append('}');
        try {
            response.setContentType("application/problem+json");
            response.setCharacterEncoding("UTF-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(problem.toString());
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // The client is gone or the response is beyond writing: there is nobody left to tell.
        }
    }

    private static String title(int status) {
        return switch (status) {
            case HttpServletResponse.SC_BAD_REQUEST -> "Bad request";
            case HttpServletResponse.SC_NOT_FOUND -> "Not found";
            case HttpServletResponse.SC_METHOD_NOT_ALLOWED -> "Method not allowed";
            case HttpServletResponse.SC_NOT_ACCEPTABLE -> "Not acceptable";
            case HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE -> "Unsupported media type";
            case HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE -> "Payload too large";
            default -> status >= 500 ? "Internal error" : "Request refused";
        };
    }

    private static String escape(String text) {
        var out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
