package dev.mixnetstreams.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;

/**
 * A close racing with a reader that is being woken for data: the reader gets the data or
 * "stream closed", never anything else (in particular not an empty-queue surprise).
 */
class ReorderBufferCloseRaceTest {

    @RepeatedTest(300)
    void closeRacingWithAWakeUpForData() throws Exception {
        ReorderBuffer buffer = new ReorderBuffer();
        byte[] message = {42};
        CountDownLatch go = new CountDownLatch(1);
        CompletableFuture<byte[]> read = new CompletableFuture<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                read.complete(buffer.take(0));
            } catch (Throwable t) {
                read.completeExceptionally(t);
            }
        });
        Thread producer = Thread.ofVirtual().start(() -> {
            awaitQuietly(go);
            buffer.offer(0, message);
        });
        Thread closer = Thread.ofVirtual().start(() -> {
            awaitQuietly(go);
            buffer.close();
        });
        go.countDown();
        producer.join();
        closer.join();
        try {
            byte[] got = read.get(20, TimeUnit.SECONDS);
            assertEquals(message, got);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof IOException io) || !"stream closed".equals(io.getMessage())) {
                fail("unexpected outcome of a take racing with close", e.getCause());
            }
        }
        reader.join();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
