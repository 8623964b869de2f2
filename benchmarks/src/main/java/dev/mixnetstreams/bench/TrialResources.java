package dev.mixnetstreams.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * What a benchmark's trial set-up starts, ended at its tear-down by {@link #close()}: the resources
 * are closed in the reverse order of their registration (so a writer registered after the clients
 * it writes to stops before they close, and closing a client wakes its blocked readers), then the
 * threads are interrupted and joined. Used by the JMH thread only (set-up and tear-down).
 */
final class TrialResources implements AutoCloseable {

    /** Confined to the JMH thread: what {@link #close()} closes, in registration order. */
    private final List<AutoCloseable> resources = new ArrayList<>();
    /** Confined to the JMH thread: the threads {@link #close()} interrupts and joins. */
    private final List<Thread> threads = new ArrayList<>();

    /** Creates an empty set. */
    TrialResources() {
    }

    /**
     * Registers a resource to close at tear-down.
     *
     * @param resource the resource
     * @param <T> its type
     * @return {@code resource}
     */
    <T extends AutoCloseable> T add(T resource) {
        resources.add(resource);
        return resource;
    }

    /**
     * Starts a virtual thread that runs until tear-down ends it (by closing what it blocks on, or by
     * interrupting it).
     *
     * @param name the thread's name
     * @param body what it runs
     * @return the started thread
     */
    Thread startVirtual(String name, Runnable body) {
        Thread thread = Thread.ofVirtual().name(name).start(body);
        threads.add(thread);
        return thread;
    }

    /**
     * Closes the resources, last registered first, then interrupts every thread and waits for it
     * to end.
     *
     * @throws Exception the first failure to close a resource, after everything was tried
     */
    @Override
    public void close() throws Exception {
        Exception failure = null;
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        resources.clear();
        for (Thread thread : threads) {
            thread.interrupt();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        threads.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
