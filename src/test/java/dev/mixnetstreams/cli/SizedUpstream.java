package dev.mixnetstreams.cli;

import dev.mixnetstreams.testing.Await;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * An upstream that answers each connection's 12-byte request (a seed and a length) with that
 * many bytes drawn from the seed, then ends its output; {@link #fetch} asks it through the
 * tunnel and checks every byte.
 */
final class SizedUpstream implements AutoCloseable {
    /** What became of one connection. */
    enum Outcome {
        /** Every byte, then the end. */
        OK,
        /** Failed with an error (a reset): allowed while nym-client restarts. */
        FAILED,
        /** Ended cleanly before every byte: never allowed. */
        TRUNCATED,
        /** Wrong bytes: never allowed. */
        CORRUPTED,
        /** Nothing for the hang guard's time: never allowed. */
        HUNG
    }

    private final ServerSocket socket;
    private final Thread acceptor;

    SizedUpstream() throws IOException {
        socket = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofVirtual().name("sized-upstream").start(() -> {
            while (!socket.isClosed()) {
                try {
                    Socket s = socket.accept();
                    Thread.ofVirtual().name("sized-upstream-conn").start(() -> answer(s));
                } catch (IOException e) {
                    return; // closed
                }
            }
        });
    }

    int port() {
        return socket.getLocalPort();
    }

    private static void answer(Socket s) {
        try (s) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            long seed = in.readLong();
            int length = in.readInt();
            byte[] bytes = new byte[length];
            new SplittableRandom(seed).nextBytes(bytes);
            s.getOutputStream().write(bytes);
            s.shutdownOutput();
            in.transferTo(OutputStream.nullOutputStream()); // until the tunnel ends the connection
        } catch (IOException e) {
            // reset by the tunnel: its stream failed
        }
    }

    /** Asks for {@code length} bytes from {@code seed} through the tunnel and says how it went. */
    static Outcome fetch(InetSocketAddress tunnel, long seed, int length) {
        return fetch(tunnel, seed, length, Await.GIVE_UP);
    }

    /**
     * As {@link #fetch(InetSocketAddress, long, int)}, giving up ({@link Outcome#HUNG}) when
     * nothing comes for {@code patience}.
     */
    static Outcome fetch(InetSocketAddress tunnel, long seed, int length, Duration patience) {
        byte[] expected = new byte[length];
        new SplittableRandom(seed).nextBytes(expected);
        try (Socket s = new Socket()) {
            s.connect(tunnel, (int) patience.toMillis());
            s.setSoTimeout((int) patience.toMillis()); // a hang guard
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeLong(seed);
            out.writeInt(length);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] got = in.readAllBytes();
            if (got.length != length) {
                return Outcome.TRUNCATED;
            }
            return Arrays.equals(expected, got) ? Outcome.OK : Outcome.CORRUPTED;
        } catch (SocketTimeoutException e) {
            return Outcome.HUNG;
        } catch (IOException e) {
            return Outcome.FAILED;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        try {
            acceptor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What became of each connection. */
    static final class Outcomes {
        /** Per outcome, how many: a concurrent map of adders. */
        private final ConcurrentHashMap<Outcome, LongAdder> counts = new ConcurrentHashMap<>();

        void add(Outcome outcome) {
            counts.computeIfAbsent(outcome, o -> new LongAdder()).increment();
        }

        long count(Outcome outcome) {
            LongAdder n = counts.get(outcome);
            return n == null ? 0 : n.sum();
        }

        long ok() {
            return count(Outcome.OK);
        }

        long truncated() {
            return count(Outcome.TRUNCATED);
        }

        long corrupted() {
            return count(Outcome.CORRUPTED);
        }

        long hung() {
            return count(Outcome.HUNG);
        }

        long failed() {
            return count(Outcome.FAILED);
        }

        void awaitOk(long n) {
            Await.until(() -> n + " complete connections; so far " + this, () -> ok() >= n);
        }

        @Override
        public String toString() {
            return counts.toString();
        }
    }
}
