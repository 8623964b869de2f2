package dev.mixnetstreams.sim;

import java.util.List;

/** Test access to the simulated mixnet's package-private parts. */
public final class SimAccess {

    private SimAccess() {
    }

    /**
     * The delivery threads of the open endpoints; take them before closing, check them after.
     *
     * @param mixnet the mixnet
     * @return its endpoints' delivery threads
     */
    public static List<Thread> deliveryThreads(SimulatedMixnet mixnet) {
        return mixnet.deliveryThreads();
    }
}
