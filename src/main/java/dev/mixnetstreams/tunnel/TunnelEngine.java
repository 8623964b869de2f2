package dev.mixnetstreams.tunnel;

import dev.mixnetstreams.internal.Waits;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;

/**
 * What both tunnel ends share: the connection limit, the live connections, the counters, the
 * threads, and the shutdown that closes every connection and waits for every thread.
 */
final class TunnelEngine {

    final TunnelConfig config;
    final TunnelEnvironment environment;
    final Logger log;
    /** Logs the connections' failures, at most one warning per cause per 10 s. */
    final FailureLog failureLog;
    private final String threadPrefix;
    /** At the limit: close the longest-idle connection to admit a new one (tunnel server), or refuse the new one. */
    private final boolean evictLongestIdleAtLimit;

    private final AtomicLong connectionNumbers = new AtomicLong();
    private final LongAdder totalConnections = new LongAdder();
    final LongAdder tcpToMixnetBytes = new LongAdder();
    final LongAdder mixnetToTcpBytes = new LongAdder();
    private final EnumMap<TunnelFailure, LongAdder> failures = new EnumMap<>(TunnelFailure.class);

    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition activeChanged = lock.newCondition();
    /** Admitted connections not yet ended; guarded by {@link #lock}. */
    private int active;
    private final AtomicBoolean closed = new AtomicBoolean();

    TunnelEngine(TunnelConfig config, TunnelEnvironment environment, String threadPrefix, boolean evictLongestIdleAtLimit) {
        this.config = config;
        this.environment = environment;
        this.log = environment.log();
        this.failureLog = new FailureLog(environment);
        this.threadPrefix = threadPrefix;
        this.evictLongestIdleAtLimit = evictLongestIdleAtLimit;
        for (TunnelFailure cause : TunnelFailure.values()) {
            failures.put(cause, new LongAdder());
        }
    }

    boolean isClosed() {
        return closed.get();
    }

    void count(TunnelFailure cause) {
        failures.get(cause).increment();
    }

    /**
     * Admits a new connection, or returns null: the tunnel is closed, or the limit is reached and
     * (when refusing, or when nothing can be evicted) counted as over the limit. The caller then
     * closes the refused socket or stream. When evicting, a connection at the limit makes room by
     * aborting the longest-idle live connection ({@link TunnelFailure#EVICTED_IDLE}). Called by
     * the accept thread only.
     */
    Connection admit() {
        while (true) {
            lock.lock();
            try {
                if (closed.get()) {
                    return null;
                }
                if (active < config.maxConnections()) {
                    active++;
                    activeChanged.signalAll();
                    break;
                }
                if (!evictLongestIdleAtLimit) {
                    count(TunnelFailure.OVER_LIMIT);
                    return null;
                }
            } finally {
                lock.unlock();
            }
            Connection victim = longestIdle();
            if (victim == null) { // every connection at the limit is ending already
                count(TunnelFailure.OVER_LIMIT);
                return null;
            }
            // Outside the lock: aborting closes the socket and the stream (I/O). It ends the
            // victim, which frees its slot (ended()) before the next round looks again.
            victim.abort(TunnelFailure.EVICTED_IDLE, null);
        }
        totalConnections.increment();
        Connection connection = new Connection(this, connectionNumbers.incrementAndGet());
        connections.add(connection);
        if (closed.get()) {
            // close() may have looked at the connections before this one was added.
            connection.abort(null, null);
        }
        return connection;
    }

    /** The live connection on which bytes moved least recently (or admitted earliest, if none moved); null if none. */
    private Connection longestIdle() {
        Connection oldest = null;
        for (Connection connection : connections) {
            if (!connection.hasEnded()
                    && (oldest == null || connection.lastActivityNanos() - oldest.lastActivityNanos() < 0)) {
                oldest = connection;
            }
        }
        return oldest;
    }

    /** Called once per admitted connection when it has ended. */
    void ended(Connection connection) {
        connections.remove(connection);
        lock.lock();
        try {
            active--;
            activeChanged.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Starts a tracked virtual thread; {@link #close} waits for every one. */
    Thread spawn(String name, Runnable task) {
        Thread thread = Thread.ofVirtual().name(threadPrefix + name).unstarted(() -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                log.error("{}{}: unexpected failure", threadPrefix, name, e);
            } finally {
                threads.remove(Thread.currentThread());
            }
        });
        threads.add(thread);
        thread.start();
        return thread;
    }

    TunnelStats stats() {
        int now;
        lock.lock();
        try {
            now = active;
        } finally {
            lock.unlock();
        }
        Map<TunnelFailure, Long> byCause = new EnumMap<>(TunnelFailure.class);
        failures.forEach((cause, n) -> byCause.put(cause, n.sum()));
        return new TunnelStats(now, totalConnections.sum(), tcpToMixnetBytes.sum(), mixnetToTcpBytes.sum(), byCause);
    }

    boolean awaitActiveAtMost(int count, Duration timeout) throws InterruptedException {
        long nanos = Waits.saturatedNanos(timeout);
        lock.lock();
        try {
            while (active > count) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = activeChanged.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    boolean awaitActiveAtLeast(int count, Duration timeout) throws InterruptedException {
        long nanos = Waits.saturatedNanos(timeout);
        lock.lock();
        try {
            while (active < count) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = activeChanged.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Shuts down: {@code stopAccepting} (closes the server socket or listener), then every
     * connection is aborted, every thread the tunnel started is interrupted (so one blocked in
     * {@code openStream}, a connect or a write ends with an {@link java.io.InterruptedIOException}
     * instead of running into its timeout) and waited for. Idempotent; only the first call waits.
     */
    void close(Runnable stopAccepting) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stopAccepting.run();
        for (Connection connection : connections) {
            connection.abort(null, null);
        }
        boolean interrupted = false;
        while (!threads.isEmpty()) {
            List<Thread> snapshot = new ArrayList<>(threads);
            for (Thread thread : snapshot) {
                thread.interrupt();
            }
            for (Thread thread : snapshot) {
                interrupted |= Waits.joinUninterruptibly(thread);
                // A thread that ended without reaching its finally (it never started) is dropped here.
                threads.remove(thread);
            }
            // Connections admitted while we waited were aborted by admit(); abort any left over.
            for (Connection connection : connections) {
                connection.abort(null, null);
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    static long millis(Duration d) {
        return TimeUnit.NANOSECONDS.toMillis(d.toNanos());
    }

    /** {@code host:port} for logs, an IPv6 literal in brackets ({@code [0:0:0:0:0:0:0:1]:54321}). */
    static String hostPort(InetSocketAddress address) {
        String host = address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
