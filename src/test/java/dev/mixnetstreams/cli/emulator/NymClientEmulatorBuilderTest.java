package dev.mixnetstreams.cli.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

/** The stand-in's settings are checked where they are set, in the library's one message format. */
class NymClientEmulatorBuilderTest {

    @Test
    void settingsOutOfRangeAreRefusedWithOneMessageFormat() {
        NymClientEmulator.Builder builder = NymClientEmulator.builder();
        assertEquals("maximum latency must be at most 36500 days, got " + ChronoUnit.FOREVER.getDuration(),
                assertThrows(IllegalArgumentException.class,
                        () -> builder.latency(Duration.ZERO, ChronoUnit.FOREVER.getDuration())).getMessage());
        assertEquals("minimum latency must be at most the maximum, got PT0.002S > PT0.001S",
                assertThrows(IllegalArgumentException.class,
                        () -> builder.latency(Duration.ofMillis(2), Duration.ofMillis(1))).getMessage());
        assertEquals("loss must be between 0 and 1, got 1.5",
                assertThrows(IllegalArgumentException.class, () -> builder.loss(1.5)).getMessage());
        assertEquals("port must be between 0 and 65535, got 70000",
                assertThrows(IllegalArgumentException.class, () -> builder.port(70_000)).getMessage());
        assertEquals("clients must be between 1 and 1000, got 0",
                assertThrows(IllegalArgumentException.class, () -> builder.clients(0)).getMessage());
        assertEquals("heldMessages must be positive, got 0",
                assertThrows(IllegalArgumentException.class, () -> builder.heldMessages(0)).getMessage());
    }
}
