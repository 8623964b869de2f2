package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.sim.LoopbackMixnet;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;

/** Streams opened while the client closes: every one of them must still be woken by the close. */
class CloseRaceTest {

    @RepeatedTest(20)
    void streamsOpenedConcurrentlyWithCloseAreWokenToo() throws Exception {
        LoopbackMixnet net = LoopbackMixnet.builder().build();
        Recipient peer = Recipient.random(new SplittableRandom(1)); // nobody listens: the Opens are dropped
        MixnetClient client = MixnetClient.builder(net.newEndpoint()).build();
        Queue<CompletableFuture<Integer>> reads = new ConcurrentLinkedQueue<>();
        List<Thread> openers = new ArrayList<>();
        AtomicInteger opened = new AtomicInteger();
        CountDownLatch someOpened = new CountDownLatch(4);
        for (int t = 0; t < 4; t++) {
            openers.add(Thread.ofPlatform().start(() -> {
                while (true) {
                    MixnetStream s;
                    try {
                        s = client.openStream(peer);
                    } catch (IOException e) {
                        return; // closed
                    }
                    opened.incrementAndGet();
                    someOpened.countDown();
                    CompletableFuture<Integer> read = new CompletableFuture<>();
                    reads.add(read);
                    Thread.ofVirtual().start(() -> {
                        try {
                            read.complete(s.getInputStream().read());
                        } catch (Throwable e) {
                            read.completeExceptionally(e);
                        }
                    });
                }
            }));
        }
        someOpened.await();
        client.close();
        for (Thread t : openers) {
            t.join();
        }
        List<CompletableFuture<Integer>> all = List.copyOf(reads);
        assertEquals(opened.get(), all.size());
        assertTrue(all.size() >= 4);
        for (CompletableFuture<Integer> read : all) {
            try {
                read.get(10, TimeUnit.SECONDS);
                throw new AssertionError("a read returned instead of failing");
            } catch (ExecutionException e) {
                assertInstanceOf(IOException.class, e.getCause());
            }
        }
    }

    @RepeatedTest(50)
    void aListenerTakenConcurrentlyWithCloseIsShutToo() throws Exception {
        LoopbackMixnet net = LoopbackMixnet.builder().build();
        MixnetClient client = MixnetClient.builder(net.newEndpoint()).build();
        CountDownLatch go = new CountDownLatch(1);
        CompletableFuture<Object> accept = new CompletableFuture<>();
        Thread taker = Thread.ofPlatform().start(() -> {
            try {
                go.await();
                MixnetListener listener = client.listener();
                accept.complete(listener.accept());
            } catch (Throwable e) {
                accept.completeExceptionally(e);
            }
        });
        go.countDown();
        client.close();
        taker.join(TimeUnit.SECONDS.toMillis(10));
        try {
            accept.get(10, TimeUnit.SECONDS);
            throw new AssertionError("accept returned a stream");
        } catch (ExecutionException e) {
            // IllegalStateException from listener() after close, or IOException from accept(): never a hang.
            assertTrue(e.getCause() instanceof IOException || e.getCause() instanceof IllegalStateException,
                    e.getCause().toString());
        }
    }
}
