package dev.mixnetstreams.tunnel;

import dev.mixnetstreams.MixnetStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One tunnelled connection: a TCP socket and a stream, copied both ways, each direction a blocking
 * copy on its own virtual thread.
 *
 * <p>End of input on one side becomes the other side's shutdown of output (half-close). When both
 * directions have ended, both sides are closed. A failure on either side ends the connection at
 * once: it is counted and logged once, the socket is reset (so a TCP peer never takes a truncated
 * connection for a complete one) and the stream is closed. The protocol has no reset, so a stream
 * peer sees a closed stream as an end of stream.
 */
final class Connection {

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
    private volatile Socket socket;
    private volatile MixnetStream stream;
    private volatile String label;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicInteger openDirections = new AtomicInteger(2);
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
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

    /** Attaches the stream. Closes it if the connection already ended. */
    void attach(MixnetStream stream, String label) {
        this.stream = stream;
        this.label = label;
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

    /** Starts the two copies; the socket is connected and the stream open. */
    void startCopying() {
        if (ended.get()) {
            return;
        }
        Duration idle = engine.config.idleTimeout();
        try {
            socket.setTcpNoDelay(true);
            if (!idle.isZero()) {
                socket.setSoTimeout((int) TunnelEngine.millis(idle));
                stream.setReadTimeout(idle);
            }
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
            Socket s = socket;
            try {
                s.close();
            } catch (IOException e) {
                engine.log.debug("{}: close: {}", label, e.toString());
            }
            stream.close();
            engine.log.debug("{}: ended", label);
            engine.ended(this);
        }
    }

    /** A failure before or during copying: counted and logged once, then both sides closed. */
    void fail(TunnelFailure cause, Throwable error) {
        abort(cause, error);
    }

    /**
     * Ends the connection now: the socket is reset and the stream closed. With a cause, counts and
     * logs it, unless the connection already ended (then the error is a consequence). Idempotent.
     */
    void abort(TunnelFailure cause, Throwable error) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        if (cause != null) {
            engine.count(cause);
            if (cause == TunnelFailure.OVER_LIMIT) {
                engine.log.debug("{}: {}", label, cause.description());
            } else {
                engine.log.warn("{}: {}: {}", label, cause.description(), String.valueOf(error));
                engine.log.debug("{}: failure detail", label, error);
            }
        }
        Socket s = socket;
        if (s != null) {
            closeHard(s);
        }
        MixnetStream st = stream;
        if (st != null) {
            st.close();
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
