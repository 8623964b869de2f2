package dev.mixnetstreams.bench;

import java.io.IOException;

/**
 * Where a throughput benchmark's writes run, by its {@code writer} parameter: {@code platform} on
 * the JMH thread itself, {@code virtual} on a virtual thread started for the invocation (how the
 * library's users write), which the JMH thread waits for.
 */
final class WriterThread {

    /** The writing half of an invocation. */
    @FunctionalInterface
    interface Writes {
        /**
         * Writes everything the invocation sends.
         *
         * @throws IOException if a write fails
         * @throws InterruptedException if interrupted while writing
         */
        void run() throws IOException, InterruptedException;
    }

    private WriterThread() {
    }

    /**
     * Runs {@code writes} on the thread {@code writer} names and returns when they are done.
     *
     * @param writer {@code platform} or {@code virtual}
     * @param writes what to run
     * @throws IOException if a write failed or the wait was interrupted
     * @throws IllegalArgumentException if {@code writer} is neither
     */
    static void run(String writer, Writes writes) throws IOException {
        IOException[] failure = new IOException[1];
        Runnable body = () -> {
            try {
                writes.run();
            } catch (IOException e) {
                failure[0] = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure[0] = new IOException("interrupted while writing", e);
            }
        };
        switch (writer) {
            case "platform" -> body.run();
            case "virtual" -> {
                Thread thread = Thread.ofVirtual().name("bench-writer").start(body);
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for the writer", e);
                }
            }
            default -> throw new IllegalArgumentException("writer: " + writer);
        }
        if (failure[0] != null) {
            throw failure[0];
        }
    }
}
