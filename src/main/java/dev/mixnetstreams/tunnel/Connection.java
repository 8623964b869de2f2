package dev.mixnetstreams.tunnel;

import dev.mixnetstreams.MixnetStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One tunnelled connection: a TCP socket and a stream, copied both ways, each direction a blocking
 * copy on its own virtual thread. A setup thread comes first: it waits for the accepted side's
 * first bytes (unless {@link TunnelConfig#connectOnAccept()}), connects onward and writes them.
 *
 * <p>End of input on one side becomes the other side's shutdown of output (half-close). When both
 * directions have ended, both sides are closed. A failure on either side ends the connection at
 * once: it is counted and logged once, the socket is reset (so a TCP peer never takes a truncated
 * connection for a complete one) and the stream aborted ({@link MixnetStream#abort()}): a tunnel
 * end of this library is told and resets its socket in turn, so a connection cut on one side is
 * cut on the other; a Rust peer is sent nothing, never a clean end.
 *
 * <p>Logs name the connection by its label ({@code conn#12 127.0.0.1:54321}): never by its
 * stream id, the one secret of an opened stream, which only DEBUG lines show.
 */
final class Connection {

    /** Failures a peer can cause in bulk: counted, and logged at debug so that they cannot flood the log. */
    private static final Set<TunnelFailure> LOGGED_AT_DEBUG =
            EnumSet.of(TunnelFailure.OVER_LIMIT, TunnelFailure.EVICTED_IDLE, TunnelFailure.FIRST_BYTE_TIMEOUT);

    /** A failure of one side, with its cause. */
    private static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final TunnelFailure cause;

        Failure(TunnelFailure cause, Throwable error) {
            super(error.toString(), error, false, false);
            this.cause = cause;
        }
    }

    private final TunnelEngine engine;
    final long number;
    /** The TCP side, once attached; volatile (set by the accept or setup thread, closed by any). */
    private volatile Socket socket;
    /** The stream side, once attached; volatile (set by the accept or setup thread, closed by any). */
    private volatile MixnetStream stream;
    /** How logs name the connection: its number and TCP addresses, never the stream id; volatile. */
    private volatile String label;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicInteger openDirections = new AtomicInteger(2);
    /** The setup and copy threads, interrupted when the connection is aborted; a concurrent list. */
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    /**
     * When bytes last moved either way, or when the connection was admitted; volatile (written by
     * the setup and copy threads, read by the idle check and by eviction).
     */
    private volatile long lastActivityNanos = System.nanoTime();

    Connection(TunnelEngine engine, long number) {
        this.engine = engine;
        this.number = number;
        this.label = "conn#" + number;
    }

    /** Attaches the socket (before it connects, so an abort can close it). Aborts it if the connection already ended. */
    void attach(Socket socket, String label) {
        this.socket = socket;
        this.label = label;
        if (ended.get()) {
            closeHard(socket);
        }
    }

    /** Attaches the stream. Closes it if the connection already ended. Its id is logged at debug only. */
    void attach(MixnetStream stream) {
        this.stream = stream;
        engine.log.debug("{}: {}", label, stream.id());
        if (ended.get()) {
            stream.close();
        }
    }

    String label() {
        return label;
    }

    boolean hasEnded() {
        return ended.get();
    }

    /** When bytes last moved either way (or the connection was admitted), on {@link System#nanoTime()}. */
    long lastActivityNanos() {
        return lastActivityNanos;
    }

    /** Starts the setup on a tracked thread that an abort interrupts. */
    void startSetup(String name, Runnable setup) {
        threads.add(engine.spawn("conn-" + number + "-" + name, setup));
        if (ended.get()) {
            interruptOthers();
        }
    }

    /**
     * Waits for the accepted side's first bytes, with {@code in}'s read timeout set to the
     * first-byte timeout by the caller. Returns how many arrived, or 0 if the connection has ended:
     * nothing came in time ({@link TunnelFailure#FIRST_BYTE_TIMEOUT}), reading failed
     * ({@code onError}), or the side ended without a byte (then the connection ends quietly, having
     * connected nowhere).
     */
    int awaitFirstBytes(InputStream in, byte[] buffer, TunnelFailure onError) {
        int n;
        try {
            n = in.read(buffer);
        } catch (SocketTimeoutException e) {
            fail(TunnelFailure.FIRST_BYTE_TIMEOUT, e);
            return 0;
        } catch (IOException e) {
            fail(onError, e);
            return 0;
        }
        if (n < 0) {
            endBeforeFirstByte();
            return 0;
        }
        lastActivityNanos = System.nanoTime();
        return n;
    }

    /**
     * Writes the first bytes onward, before the copies start. Returns {@code false} if that failed
     * (counted as {@code onError}, the connection ended).
     */
    boolean forwardFirstBytes(byte[] buffer, int n, OutputStream out, TunnelFailure onError, LongAdder bytes) {
        try {
            out.write(buffer, 0, n);
        } catch (IOException e) {
            fail(onError, e);
            return false;
        }
        bytes.add(n);
        lastActivityNanos = System.nanoTime();
        return true;
    }

    /** Starts the two copies; the socket is connected and the stream open. */
    void startCopying() {
        if (ended.get()) {
            return;
        }
        Duration idle = engine.config.idleTimeout();
        try {
            socket.setTcpNoDelay(true);
            // Replaces the first-byte timeout; zero: no limit.
            socket.setSoTimeout(idle.isZero() ? 0 : (int) TunnelEngine.millis(idle));
            stream.setReadTimeout(idle);
        } catch (IOException e) {
            fail(TunnelFailure.TCP_FAILED, e);
            return;
        }
        threads.add(engine.spawn("conn-" + number + "-tcp>mix", this::tcpToStream));
        threads.add(engine.spawn("conn-" + number + "-mix>tcp", this::streamToTcp));
        if (ended.get()) {
            interruptOthers();
        }
    }

    private void tcpToStream() {
        byte[] buffer = new byte[engine.config.bufferSize()];
        try {
            InputStream in = socket.getInputStream();
            OutputStream out = stream.getOutputStream();
            while (true) {
                int n = read(in, buffer, TunnelFailure.TCP_FAILED);
                if (n < 0) {
                    break;
                }
                n = coalesce(in, buffer, n);
                try {
                    out.write(buffer, 0, n);
                } catch (IOException e) {
                    throw new Failure(TunnelFailure.STREAM_FAILED, e);
                }
                engine.tcpToMixnetBytes.add(n);
                lastActivityNanos = System.nanoTime();
            }
            try {
                stream.shutdownOutput();
            } catch (IOException e) {
                throw new Failure(TunnelFailure.STREAM_FAILED, e);
            }
            directionEnded();
        } catch (IOException e) {
            fail(TunnelFailure.TCP_FAILED, e);
        } catch (Failure f) {
            fail(f.cause, f.getCause());
        }
    }

    private void streamToTcp() {
        byte[] buffer = new byte[engine.config.bufferSize()];
        try {
            InputStream in = stream.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                int n = read(in, buffer, TunnelFailure.STREAM_FAILED);
                if (n < 0) {
                    break;
                }
                try {
                    out.write(buffer, 0, n);
                } catch (IOException e) {
                    throw new Failure(TunnelFailure.TCP_FAILED, e);
                }
                engine.mixnetToTcpBytes.add(n);
                lastActivityNanos = System.nanoTime();
            }
            try {
                socket.shutdownOutput();
            } catch (IOException e) {
                throw new Failure(TunnelFailure.TCP_FAILED, e);
            }
            directionEnded();
        } catch (IOException e) {
            fail(TunnelFailure.TCP_FAILED, e);
        } catch (Failure f) {
            fail(f.cause, f.getCause());
        }
    }

    /**
     * Adds to the buffer what the socket already holds, without waiting, so that an application
     * writing many small pieces costs few stream frames: every frame is a mixnet message, and a
     * burst of small frames overtaking each other can exceed a stream's reorder window.
     */
    private static int coalesce(InputStream in, byte[] buffer, int n) throws IOException {
        int available;
        while (n < buffer.length && (available = in.available()) > 0) {
            int more = in.read(buffer, n, Math.min(available, buffer.length - n));
            if (more <= 0) {
                break;
            }
            n += more;
        }
        return n;
    }

    /** One read; a read timeout is the idle check, which fails only if nothing moved either way. */
    private int read(InputStream in, byte[] buffer, TunnelFailure onError) throws Failure {
        while (true) {
            try {
                return in.read(buffer);
            } catch (SocketTimeoutException e) {
                long idleNanos = engine.config.idleTimeout().toNanos();
                if (System.nanoTime() - lastActivityNanos >= idleNanos) {
                    throw new Failure(TunnelFailure.IDLE_TIMEOUT, e);
                }
            } catch (IOException e) {
                throw new Failure(onError, e);
            }
        }
    }

    private void directionEnded() {
        if (openDirections.decrementAndGet() == 0 && ended.compareAndSet(false, true)) {
            closeBoth();
            engine.log.debug("{}: ended", label);
            engine.ended(this);
        }
    }

    /** The accepted side ended without sending a byte: nothing was connected onward; closes what there is. */
    private void endBeforeFirstByte() {
        if (ended.compareAndSet(false, true)) {
            closeBoth();
            engine.log.debug("{}: ended before its first byte", label);
            engine.ended(this);
        }
    }

    /** Closes the socket (normally: a FIN, not a reset) and the stream, whichever are attached. */
    private void closeBoth() {
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                engine.log.debug("{}: close: {}", label, e.toString());
            }
        }
        MixnetStream st = stream;
        if (st != null) {
            st.close();
        }
    }

    /** A failure before or during copying: counted and logged once, then both sides closed. */
    void fail(TunnelFailure cause, Throwable error) {
        abort(cause, error);
    }

    /**
     * Ends the connection now: the socket is reset and the stream aborted, the other threads of the
     * connection interrupted. With a cause, counts and logs it, unless the connection already ended
     * (then the error is a consequence). Idempotent.
     */
    void abort(TunnelFailure cause, Throwable error) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        if (cause != null) {
            engine.count(cause);
            if (LOGGED_AT_DEBUG.contains(cause)) {
                engine.log.debug("{}: {}", label, cause.description());
            } else {
                engine.failureLog.failed(label, cause, error);
            }
            if (error != null) {
                MixnetStream st = stream;
                engine.log.debug("{}{}: failure detail", label, st == null ? "" : " " + st.id(), error);
            }
        }
        Socket s = socket;
        if (s != null) {
            closeHard(s);
        }
        MixnetStream st = stream;
        if (st != null) {
            st.abort();
        }
        interruptOthers();
        engine.ended(this);
    }

    private void interruptOthers() {
        for (Thread thread : threads) {
            if (thread != Thread.currentThread()) {
                thread.interrupt();
            }
        }
    }

    /** Closes a socket with a reset (SO_LINGER 0): the TCP peer sees the connection fail, not end. */
    static void closeHard(Socket socket) {
        try {
            if (!socket.isClosed()) {
                socket.setSoLinger(true, 0);
            }
        } catch (IOException e) {
            // not connected or already closed: close() below is all there is to do
        }
        try {
            socket.close();
        } catch (IOException e) {
            // nothing more to do
        }
    }
}
