package io.sinkron.faults;

import io.sinkron.testkit.Http;
import java.io.IOException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends one request of a recorded operation and sorts out what became of it when no answer came.
 *
 * <ul>
 *   <li>The connection could not be opened within the client's connect timeout: the request was
 *       never sent, so the operation certainly did not happen ({@code fail}). The services are never
 *       faulted, so this happens only when the machine is starved (it ran at a load average of 40
 *       on two cores); such requests are counted and reported, and a service that stopped accepting
 *       connections for good would show up as unanswered requests as well.
 *   <li>Sent, but no answer within the timeout, or the connection broke: outcome unknown ({@code
 *       info}), and an anomaly, since no fault touches the services and each of them must answer
 *       every request within its bounds.
 * </ul>
 */
final class Requests {

    /** One HTTP exchange. */
    @FunctionalInterface
    interface Call {
        Http.Response send() throws IOException, InterruptedException;
    }

    private final Queue<String> anomalies;
    private final AtomicInteger notSent = new AtomicInteger();

    Requests(Queue<String> anomalies) {
        this.anomalies = anomalies;
    }

    /**
     * The response, or null when there was none; then {@code op} has been completed ({@code fail} if
     * the request was not sent, {@code info} otherwise) and an unanswered request noted as an anomaly.
     */
    Http.Response send(History.Op op, String what, Duration timeout, Call call) throws InterruptedException {
        try {
            return call.send();
        } catch (HttpConnectTimeoutException e) {
            notSent.incrementAndGet();
            op.fail("not sent: " + e.getMessage());
        } catch (HttpTimeoutException e) {
            op.info("timeout");
            anomalies.add(what + " not answered within " + timeout);
        } catch (IOException e) {
            op.info(e.toString());
            anomalies.add(what + " failed: " + e);
        }
        return null;
    }

    /** Requests not sent because the connection could not be opened in time. */
    int notSent() {
        return notSent.get();
    }
}
