package dev.mixnetstreams.nymclient;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A bare JDK WebSocket client for tests: sends raw bytes, collects whole binary messages. */
final class RawClient implements AutoCloseable {
    final HttpClient http = HttpClient.newHttpClient();
    final BlockingQueue<byte[]> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    final WebSocket ws;

    RawClient(URI uri) throws Exception {
        ws = http.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
            final ByteArrayOutputStream partial = new ByteArrayOutputStream();

            @Override
            public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
                byte[] b = new byte[data.remaining()];
                data.get(b);
                partial.writeBytes(b);
                if (last) {
                    messages.add(partial.toByteArray());
                    partial.reset();
                }
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                closed.complete(code);
                return null;
            }

            @Override
            public void onError(WebSocket w, Throwable error) {
                closed.complete(-1);
            }
        }).get(10, TimeUnit.SECONDS);
    }

    void send(byte[] bytes) throws Exception {
        ws.sendBinary(ByteBuffer.wrap(bytes), true).get(10, TimeUnit.SECONDS);
    }

    void sendText(String text) throws Exception {
        ws.sendText(text, true).get(10, TimeUnit.SECONDS);
    }

    byte[] next() throws InterruptedException {
        byte[] b = messages.poll(20, TimeUnit.SECONDS);
        if (b == null) {
            throw new AssertionError("no message from the stand-in within 20 s");
        }
        return b;
    }

    @Override
    public void close() {
        ws.abort();
        http.shutdownNow();
    }
}
