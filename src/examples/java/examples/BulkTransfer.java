package examples;

import dev.mixnetstreams.MixnetClient;
import dev.mixnetstreams.MixnetListener;
import dev.mixnetstreams.MixnetStream;
import dev.mixnetstreams.StreamDataLossException;
import dev.mixnetstreams.sim.SimulatedMixnet;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * A bulk transfer done right. The protocol has no flow control and no retransmission, so:
 * <ul>
 * <li>the receiver reads all the time, on a thread of its own: bytes nobody reads pile up, and
 *     past the stream's unread limit ({@code MixnetClient.Builder.maxUnreadBytes}) the stream
 *     is reset;
 * <li>the sender writes in large chunks, through a buffer: every write is one mixnet message, so
 *     a flood of small writes is a flood of messages;
 * <li>the sender ends its output ({@code shutdownOutput}), so the receiver reads to a real end of
 *     stream, never a silent truncation;
 * <li>the receiver confirms what it got (its length and SHA-256), because "written" does not
 *     mean "delivered": a lost message surfaces at the receiver as a
 *     {@link StreamDataLossException} at its exact place, and a read timeout turns a stall into an
 *     exception at either end.
 * </ul>
 * Argument: the size in MiB (default 16).
 */
public class BulkTransfer {

    private static final int CHUNK = 64 * 1024;

    public static void main(String[] args) throws IOException, InterruptedException {
        long size = (args.length > 0 ? Long.parseLong(args[0]) : 16) << 20;
        try (SimulatedMixnet mixnet = SimulatedMixnet.builder()
                .latency(Duration.ofMillis(5), Duration.ofMillis(50)).duplicateRate(0.01).seed(11).build();
             // The unread limit holds what may arrive while the reader is busy elsewhere (8 MiB by default).
             MixnetClient receiver = MixnetClient.builder(mixnet.newEndpoint()).maxUnreadBytes(64 << 20).build();
             MixnetClient sender = MixnetClient.builder(mixnet.newEndpoint()).build()) {

            MixnetListener listener = receiver.listener();
            Thread receiving = Thread.startVirtualThread(() -> receive(listener));

            long start = System.nanoTime();
            try (MixnetStream stream = sender.openStream(receiver.address())) {
                stream.setReadTimeout(Duration.ofSeconds(60));
                MessageDigest sent = sha256();
                SplittableRandom random = new SplittableRandom(1);
                byte[] chunk = new byte[CHUNK];
                OutputStream out = new BufferedOutputStream(stream.getOutputStream(), CHUNK);
                for (long left = size; left > 0; left -= CHUNK) {
                    int n = (int) Math.min(CHUNK, left);
                    random.nextBytes(chunk);
                    out.write(chunk, 0, n);
                    sent.update(chunk, 0, n);
                }
                out.flush();
                stream.shutdownOutput();                         // the receiver reads -1 after the last byte

                ByteBuffer confirmation = ByteBuffer.wrap(stream.getInputStream().readNBytes(8 + 32));
                if (confirmation.remaining() != 8 + 32) {
                    throw new IOException("the receiver's confirmation ended early");
                }
                long confirmedLength = confirmation.getLong();
                byte[] confirmedDigest = new byte[32];
                confirmation.get(confirmedDigest);
                if (confirmedLength != size || !Arrays.equals(confirmedDigest, sent.digest())) {
                    throw new IOException("the receiver got " + confirmedLength + " bytes that differ from those sent");
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("sent %d MiB; the receiver confirmed length and SHA-256 %s (%.1f MiB/s)%n",
                        size >> 20, HexFormat.of().formatHex(confirmedDigest, 0, 8), (size >> 20) / seconds);
            }
            receiving.join();
        }
    }

    /** Reads one stream to its end, then answers with the length and SHA-256 of what it read. */
    private static void receive(MixnetListener listener) {
        try (MixnetStream stream = listener.accept()) {
            stream.setReadTimeout(Duration.ofSeconds(60));       // a stall becomes an exception
            MessageDigest received = sha256();
            long length = 0;
            byte[] buffer = new byte[CHUNK];
            InputStream in = stream.getInputStream();
            for (int n; (n = in.read(buffer)) != -1; ) {
                received.update(buffer, 0, n);
                length += n;
            }
            byte[] confirmation = ByteBuffer.allocate(8 + 32).putLong(length).put(received.digest()).array();
            stream.getOutputStream().write(confirmation);       // one write, one message
            stream.shutdownOutput();
        } catch (StreamDataLossException e) {
            System.err.println("receiver: messages were lost: " + e.getMessage()); // the sender's confirmation read times out
        } catch (IOException e) {
            System.err.println("receiver failed: " + e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
