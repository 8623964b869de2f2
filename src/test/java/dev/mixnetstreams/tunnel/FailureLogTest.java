package dev.mixnetstreams.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/**
 * Connections failing alike (every one while nym-client is away) are one warning per cause per
 * 10 s, not one each; the others go to debug and are counted into the next warning.
 */
class FailureLogTest {

    @Test
    void failuresOfOneCauseAreOneWarningPerIntervalWithTheCountOfTheOthers() {
        CapturingLogger log = new CapturingLogger("tunnel");
        AtomicLong clock = new AtomicLong(1_000);
        FailureLog failures = new FailureLog(new TunnelEnvironment(log, d -> { }, clock::get));
        IOException away = new IOException("not connected to nym-client");
        for (int i = 1; i <= 5; i++) {
            failures.failed("conn#" + i, TunnelFailure.STREAM_FAILED, away);
        }
        failures.failed("conn#6", TunnelFailure.UPSTREAM_REFUSED, null); // another cause: a warning of its own
        clock.addAndGet(FailureLog.WARNING_INTERVAL.toNanos() - 1);
        failures.failed("conn#7", TunnelFailure.STREAM_FAILED, away);
        clock.addAndGet(1);
        failures.failed("conn#8", TunnelFailure.STREAM_FAILED, away);

        assertEquals(List.of(
                "conn#1: stream failed: java.io.IOException: not connected to nym-client",
                "conn#6: upstream refused the connection: null",
                "conn#8: stream failed: java.io.IOException: not connected to nym-client (5 more connection(s) failed so"
                        + " since the last such warning, logged at debug)"), log.at(Level.WARN));
        assertEquals(5, log.at(Level.DEBUG).size(), log.at(Level.DEBUG).toString());
        assertEquals("conn#2: stream failed: java.io.IOException: not connected to nym-client", log.at(Level.DEBUG).get(0));
    }
}
