package examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.mixnetstreams.MixnetClient;
import dev.mixnetstreams.sim.SimulatedMixnet;
import dev.mixnetstreams.tunnel.TunnelClient;
import dev.mixnetstreams.tunnel.TunnelConfig;
import dev.mixnetstreams.tunnel.TunnelServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Locale;

/**
 * The TCP tunnel in code: a local program's connection to the tunnel client goes as one stream
 * across the (simulated) mixnet to the tunnel server, which connects it to the upstream server,
 * here one that answers each line in capitals.
 */
public class TunnelInCode {

    public static void main(String[] args) throws IOException, InterruptedException {
        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             SimulatedMixnet mixnet = SimulatedMixnet.builder()
                     .latency(Duration.ofMillis(5), Duration.ofMillis(50)).seed(7).build();
             MixnetClient serverSide = MixnetClient.builder(mixnet.newEndpoint()).build();
             MixnetClient clientSide = MixnetClient.builder(mixnet.newEndpoint()).build()) {
            Thread.startVirtualThread(() -> serveCapitals(upstream));

            TunnelConfig config = TunnelConfig.builder().maxConnections(64).build();
            try (TunnelServer server = TunnelServer.start(serverSide.listener(),
                         (InetSocketAddress) upstream.getLocalSocketAddress(), config);
                 TunnelClient client = TunnelClient.start(clientSide, serverSide.address(),
                         new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), config)) {

                // Any TCP program: it connects to the tunnel client's local address.
                try (Socket socket = new Socket()) {
                    socket.connect(client.localAddress());
                    socket.setSoTimeout(30_000);
                    OutputStream out = socket.getOutputStream();
                    out.write("hello through the tunnel\n".getBytes(UTF_8));
                    socket.shutdownOutput();                     // half-close travels to the upstream
                    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
                    System.out.println(in.readLine());
                }
                // The connection is counted once both ends have seen it close.
                client.awaitActiveConnections(0, Duration.ofSeconds(30));
                server.awaitActiveConnections(0, Duration.ofSeconds(30));
                System.out.println("tunnel client: " + client.stats().summary());
            }
        }
    }

    /** The upstream: answers each line of each connection in capitals, until the server socket closes. */
    private static void serveCapitals(ServerSocket upstream) {
        while (!upstream.isClosed()) {
            try {
                Socket connection = upstream.accept();
                Thread.startVirtualThread(() -> {
                    try (connection;
                         BufferedReader in = new BufferedReader(new InputStreamReader(connection.getInputStream(), UTF_8))) {
                        OutputStream out = connection.getOutputStream();
                        for (String line; (line = in.readLine()) != null; ) {
                            out.write((line.toUpperCase(Locale.ROOT) + "\n").getBytes(UTF_8));
                        }
                    } catch (IOException e) {
                        System.err.println("upstream connection failed: " + e);
                    }
                });
            } catch (IOException closed) {
                return;
            }
        }
    }
}
