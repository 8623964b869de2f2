package dev.mixnetstreams.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.internal.ArgumentChecks;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every setting is checked where it is set, with the library's one message format. */
class TunnelConfigTest {

    private static final TunnelConfig DEFAULTS = TunnelConfig.defaults();

    private static TunnelConfig.Builder builder() {
        return TunnelConfig.builder();
    }
    private static final Duration OVER_INT_MILLIS = Duration.ofMillis(Integer.MAX_VALUE + 1L);

    static Stream<Arguments> badDurations() {
        Stream.Builder<Arguments> cases = Stream.builder();
        for (String name : new String[] {"connectTimeout", "idleTimeout", "firstByteTimeout"}) {
            Function<Duration, TunnelConfig.Builder> set = switch (name) {
                case "connectTimeout" -> builder()::connectTimeout;
                case "idleTimeout" -> builder()::idleTimeout;
                default -> builder()::firstByteTimeout;
            };
            cases.add(Arguments.of(name, set, Duration.ofMillis(-1), name + " must "));
            cases.add(Arguments.of(name, set, Duration.ofNanos(999_999), name + " in milliseconds must be between 1 and "));
            cases.add(Arguments.of(name, set, OVER_INT_MILLIS, name + " in milliseconds must be between 1 and " + Integer.MAX_VALUE));
            cases.add(Arguments.of(name, set, ArgumentChecks.MAX_DURATION.plusDays(1), name + " must be at most "));
            cases.add(Arguments.of(name, set, ChronoUnit.FOREVER.getDuration(), name + " must be at most "));
            if (!name.equals("idleTimeout")) {
                cases.add(Arguments.of(name, set, Duration.ZERO, name + " must be positive, got PT0S"));
            }
        }
        return cases.build();
    }

    @ParameterizedTest(name = "{0} = {2}")
    @MethodSource("badDurations")
    void badDurationsAreRefusedWithOneMessageFormat(String name, Function<Duration, TunnelConfig.Builder> set,
                                                    Duration value, String messageStart) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> set.apply(value));
        String message = e.getMessage();
        assertTrue(message.startsWith(messageStart), message);
        assertTrue(message.contains(", got "), message);
    }

    @Test
    void nullDurationsNameTheSetting() {
        assertEquals("connectTimeout", assertThrows(NullPointerException.class, () -> builder().connectTimeout(null)).getMessage());
        assertEquals("idleTimeout", assertThrows(NullPointerException.class, () -> builder().idleTimeout(null)).getMessage());
        assertEquals("firstByteTimeout", assertThrows(NullPointerException.class, () -> builder().firstByteTimeout(null)).getMessage());
        assertEquals("establishTimeout", assertThrows(NullPointerException.class, () -> builder().establishTimeout(null)).getMessage());
    }

    @Test
    void theEstablishTimeoutIsZeroForNoneOrPositiveUpTo100Years() {
        assertEquals(Duration.ZERO, builder().establishTimeout(Duration.ZERO).build().establishTimeout());
        assertEquals(ArgumentChecks.MAX_DURATION, builder().establishTimeout(ArgumentChecks.MAX_DURATION).build().establishTimeout());
        assertEquals("establishTimeout must not be negative, got PT-0.001S",
                assertThrows(IllegalArgumentException.class, () -> builder().establishTimeout(Duration.ofMillis(-1))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> builder().establishTimeout(ChronoUnit.FOREVER.getDuration())).getMessage()
                .startsWith("establishTimeout must be at most "));
    }

    @Test
    void countsAreRefusedWithOneMessageFormat() {
        assertEquals("maxConnections must be positive, got 0",
                assertThrows(IllegalArgumentException.class, () -> builder().maxConnections(0)).getMessage());
        assertEquals("bufferSize must be between 1 and " + TunnelConfig.MAX_BUFFER_SIZE + ", got 0",
                assertThrows(IllegalArgumentException.class, () -> builder().bufferSize(0)).getMessage());
        assertEquals("bufferSize must be between 1 and " + TunnelConfig.MAX_BUFFER_SIZE + ", got " + (TunnelConfig.MAX_BUFFER_SIZE + 1),
                assertThrows(IllegalArgumentException.class, () -> builder().bufferSize(TunnelConfig.MAX_BUFFER_SIZE + 1)).getMessage());
    }

    @Test
    void theLimitsThemselvesAreAccepted() {
        Duration intMillis = Duration.ofMillis(Integer.MAX_VALUE);
        Duration oneMilli = Duration.ofMillis(1);
        assertEquals(intMillis, builder().connectTimeout(intMillis).build().connectTimeout());
        assertEquals(oneMilli, builder().connectTimeout(oneMilli).build().connectTimeout());
        assertEquals(intMillis, builder().idleTimeout(intMillis).build().idleTimeout());
        assertEquals(Duration.ZERO, builder().idleTimeout(Duration.ZERO).build().idleTimeout());
        assertEquals(oneMilli, builder().firstByteTimeout(oneMilli).build().firstByteTimeout());
        assertEquals(intMillis, builder().firstByteTimeout(intMillis).build().firstByteTimeout());
        assertEquals(1, builder().maxConnections(1).build().maxConnections());
        assertEquals(TunnelConfig.MAX_BUFFER_SIZE, builder().bufferSize(TunnelConfig.MAX_BUFFER_SIZE).build().bufferSize());
    }

    @Test
    void aBuilderStartsFromTheDefaultsAndARefusedSettingChangesNothing() {
        assertEquals(DEFAULTS, builder().build());
        assertEquals(DEFAULTS.hashCode(), builder().build().hashCode());
        TunnelConfig.Builder builder = builder().maxConnections(7).connectOnAccept(true);
        assertThrows(IllegalArgumentException.class, () -> builder.maxConnections(-1));
        assertThrows(IllegalArgumentException.class, () -> builder.idleTimeout(Duration.ofNanos(1)));
        TunnelConfig config = builder.build();
        assertEquals(7, config.maxConnections());
        assertTrue(config.connectOnAccept());
        assertEquals(TunnelConfig.DEFAULT_IDLE_TIMEOUT, config.idleTimeout());
        assertEquals(TunnelConfig.DEFAULT_CONNECT_TIMEOUT, config.connectTimeout());
        assertEquals(TunnelConfig.DEFAULT_BUFFER_SIZE, config.bufferSize());
        assertEquals(TunnelConfig.DEFAULT_FIRST_BYTE_TIMEOUT, config.firstByteTimeout());
        assertEquals(TunnelConfig.DEFAULT_ESTABLISH_TIMEOUT, config.establishTimeout());
        assertEquals("TunnelConfig[maxConnections=7, connectTimeout=PT10S, idleTimeout=PT5M, bufferSize=32768, "
                + "connectOnAccept=true, firstByteTimeout=PT30S, establishTimeout=PT30S]", config.toString());
        assertFalse(DEFAULTS.connectOnAccept(), "the defaults are not changed by a builder");
    }

    @Test
    void theDefaultsBoundEveryConnection() {
        assertEquals(TunnelConfig.DEFAULT_IDLE_TIMEOUT, DEFAULTS.idleTimeout());
        assertFalse(DEFAULTS.idleTimeout().isZero(), "an idle connection must not keep its slot for good");
        assertFalse(DEFAULTS.connectOnAccept());
        assertEquals(TunnelConfig.DEFAULT_FIRST_BYTE_TIMEOUT, DEFAULTS.firstByteTimeout());
    }
}
