package dev.mixnetstreams.tunnel;

import static dev.mixnetstreams.tunnel.TunnelFixture.get;
import static dev.mixnetstreams.tunnel.TunnelFixture.randomBytes;
import static dev.mixnetstreams.tunnel.TunnelFixture.readExactly;
import static dev.mixnetstreams.tunnel.TunnelFixture.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS through the tunnel: the JDK's SSLSocket and SSLServerSocket, end to end, so any reordered,
 * duplicated or lost byte breaks the handshake or a record's MAC.
 *
 * <p>The key is made for each run by the {@code keytool} of the JDK running the tests
 * ({@code java.home}): a self-signed EC certificate for CN=localhost in a PKCS12 keystore in a
 * temporary directory. Nothing secret is committed, and nothing expires in the repository.
 */
class TunnelTlsTest {

    private static final char[] PASSWORD = "tunnel-test".toCharArray();
    private static SSLContext tls;

    @BeforeAll
    static void makeKey(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("tunnel-test.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-noprompt",
                "-alias", "tunnel-test", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(TunnelFixture.HANG_GUARD.toSeconds(), TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError("keytool failed: " + output);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, PASSWORD);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, PASSWORD);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store); // the self-signed certificate is its own trust anchor
        tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
    }

    @Test
    void tlsSessionsSurviveTheTunnel() throws Exception {
        try (SSLServerSocket upstream = (SSLServerSocket) tls.getServerSocketFactory()
                .createServerSocket(0, 16, InetAddress.getLoopbackAddress())) {
            // The upstream: reads a length-prefixed message, answers with its SHA-256 and the bytes reversed.
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 3; i++) {
                    try (SSLSocket socket = (SSLSocket) upstream.accept()) {
                        DataInputStream in = new DataInputStream(socket.getInputStream());
                        byte[] message = readExactly(in, in.readInt());
                        // Buffered, as TLS applications write: one byte per write would make one TLS
                        // record, one TCP segment and so one mixnet message per byte.
                        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 8192));
                        out.write(sha256(message));
                        for (int k = message.length - 1; k >= 0; k--) {
                            out.write(message[k]);
                        }
                        out.flush();
                        in.read(); // wait for the client's close before closing
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }
            }, r -> Thread.ofVirtual().start(r));
            try (TunnelFixture tunnel = new TunnelFixture(
                    (InetSocketAddress) upstream.getLocalSocketAddress(), 11)) {
                for (int i = 0; i < 3; i++) {
                    byte[] message = randomBytes(100 + i, 200_000 + i * 50_000);
                    Socket plain = tunnel.connect();
                    try (SSLSocket socket = (SSLSocket) tls.getSocketFactory()
                            .createSocket(plain, "localhost", plain.getPort(), true)) {
                        socket.startHandshake();
                        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                        out.writeInt(message.length);
                        out.write(message);
                        out.flush();
                        DataInputStream in = new DataInputStream(socket.getInputStream());
                        assertArrayEquals(sha256(message), readExactly(in, 32));
                        byte[] reversed = readExactly(in, message.length);
                        for (int k = 0; k < message.length; k++) {
                            assertEquals(message[k], reversed[message.length - 1 - k]);
                        }
                    }
                }
                get(served);
                tunnel.awaitDrained();
                assertEquals(3, tunnel.client.stats().totalConnections());
                assertEquals(0, tunnel.client.stats().failuresTotal(), tunnel.client.stats().summary());
                assertEquals(0, tunnel.server.stats().failuresTotal(), tunnel.server.stats().summary());
            }
        }
    }
}
