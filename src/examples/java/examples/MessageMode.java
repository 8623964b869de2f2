package examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.mixnetstreams.InboundMessage;
import dev.mixnetstreams.MixnetClient;
import dev.mixnetstreams.sim.SimulatedMixnet;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * Message mode: single messages instead of streams, for a client that has opened no stream and
 * taken no listener. A message goes anonymously with reply SURBs; the receiver answers through
 * the sender tag it carried, never learning the sender's address.
 */
public class MessageMode {

    public static void main(String[] args) throws IOException {
        try (SimulatedMixnet mixnet = SimulatedMixnet.builder()
                .latency(Duration.ofMillis(5), Duration.ofMillis(50)).seed(3).build();
             MixnetClient alice = MixnetClient.builder(mixnet.newEndpoint()).build();
             MixnetClient bob = MixnetClient.builder(mixnet.newEndpoint()).build()) {

            alice.sendPlainMessage(bob.address(), "ping".getBytes(UTF_8));

            List<InboundMessage> atBob = bob.waitForMessages(Duration.ofSeconds(30)); // empty if none came
            for (InboundMessage message : atBob) {
                System.out.println("bob got: " + new String(message.data(), UTF_8));
                bob.sendReply(message.senderTag(), "pong".getBytes(UTF_8));
            }

            for (InboundMessage message : alice.waitForMessages(Duration.ofSeconds(30))) {
                System.out.println("alice got: " + new String(message.data(), UTF_8));
            }
        }
    }
}
