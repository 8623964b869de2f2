package dev.mixnetstreams.tunnel;

import static dev.mixnetstreams.tunnel.TunnelFixture.readExactly;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/** A stream id is the one secret of an opened stream: the tunnel names connections without it above DEBUG. */
class TunnelLogTest {

    private static final Pattern STREAM_ID = Pattern.compile("StreamId\\(0x([0-9a-f]+)\\)");

    @Test
    void failuresAreLoggedAtWarnWithoutTheStreamIdWhichOnlyDebugShows() throws Exception {
        CapturingLogger clientLog = new CapturingLogger("tunnel-client");
        CapturingLogger serverLog = new CapturingLogger("tunnel-server");
        InetSocketAddress refusing;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            refusing = (InetSocketAddress) probe.getLocalSocketAddress();
        } // closed: nothing listens there now
        try (TunnelFixture tunnel = new TunnelFixture(refusing, TunnelConfig.defaults(), TunnelConfig.defaults(), 51,
                clientLog, serverLog)) {
            // The tunnel server fails (upstream refused); the tunnel client's connection is then reset.
            try (Socket socket = tunnel.connect()) {
                socket.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes());
                assertThrows(java.net.SocketException.class, () -> socket.getInputStream().read());
            }
            tunnel.awaitDrained();
            // The tunnel client fails (the local application resets its connection mid-transfer).
            try (TunnelFixture.Upstream upstream = new TunnelFixture.Upstream(s -> {
                     OutputStream out = s.getOutputStream();
                     s.getInputStream().read();
                     for (int i = 0; i < 40; i++) {
                         out.write(new byte[64 * 1024]);
                     }
                 });
                 TunnelFixture second = new TunnelFixture(upstream.address(), TunnelConfig.defaults(),
                         TunnelConfig.defaults(), 52, clientLog, serverLog)) {
                Socket socket = second.connect();
                socket.getOutputStream().write(1);
                readExactly(socket.getInputStream(), 65_536);
                socket.setSoLinger(true, 0);
                socket.close();
                second.awaitDrained();
                assertEquals(1, second.client.stats().failures(TunnelFailure.TCP_FAILED), second.client.stats().summary());
            }
        }

        assertEquals(1, serverLog.at(Level.WARN).stream().filter(l -> l.contains("upstream refused")).count(),
                serverLog.at(Level.WARN).toString());
        assertEquals(1, clientLog.at(Level.WARN).stream().filter(l -> l.contains("TCP connection failed")).count(),
                clientLog.at(Level.WARN).toString());

        List<String> ids = new ArrayList<>();
        for (CapturingLogger log : List.of(clientLog, serverLog)) {
            for (String line : log.at(Level.DEBUG)) {
                Matcher m = STREAM_ID.matcher(line);
                while (m.find()) {
                    ids.add(m.group(1));
                }
            }
        }
        assertFalse(ids.isEmpty(), "DEBUG lines show the stream ids");
        for (CapturingLogger log : List.of(clientLog, serverLog)) {
            for (CapturingLogger.Line line : log.lines) {
                if (line.level() == Level.DEBUG || line.level() == Level.TRACE) {
                    continue;
                }
                assertTrue(line.message().startsWith("conn#") || line.message().startsWith("tunnel "), line.toString());
                assertFalse(line.message().contains("StreamId"), line.toString());
                for (String id : ids) {
                    assertFalse(line.message().contains(id), "stream id " + id + " in " + line);
                }
            }
        }
    }
}
