package dev.mixnetstreams.sim.internal;

import dev.mixnetstreams.PacketGeometry;
import dev.mixnetstreams.Recipient;
import dev.mixnetstreams.SenderTag;
import dev.mixnetstreams.sim.NymCostModel;
import dev.mixnetstreams.sim.PacketCosts;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The sending side of one simulated nym-client under a {@link NymCostModel}: what it sends leaves
 * as Sphinx packets, one at a time, at the model's pace; each reply packet spends a reply SURB from
 * the pool the client holds for its sender tag, and waits (the client asking the tag's owner for
 * more) while the pool holds no more than the reserve. A message is handed to the network when its
 * last packet has left.
 *
 * <p>Queues: messages wait in lanes (lane 0 for those sent without one, a lane of its own for the
 * client's SURB traffic), which the pacer serves in turn, skipping a lane whose first message
 * waits for SURBs. {@link #awaitLane} lets a sender wait while its lane is long, as a writer over a
 * nym-client waits on the lane's {@code LaneQueueLength}.
 *
 * <p>SURB requests follow the nym-client's rule: while replies wait, it asks whenever the SURBs it
 * holds plus those asked for and not yet come are fewer than the waiting packets plus the reserve
 * (and fewer than {@link NymCostModel#SURB_POOL_TARGET_MAX}), for {@code min(50, max(waiting, 10))}
 * at a time, several requests possibly in flight. When none came for {@link
 * NymCostModel#surbRequestRetry()}, it asks again, at most {@link
 * NymCostModel#SURB_REQUEST_ATTEMPTS} times, then drops the waiting replies, as it does when
 * none came for {@link NymCostModel#surbGiveUp()}.
 *
 * <p>Guards: {@link #lock} guards every queue, pool and counter; it is never held while the
 * network is called. One pacer thread per client.
 */
public final class PacedClient {

    /** The lane of the client's own SURB requests and refills, apart from every sender's. */
    private static final long SURB_LANE = -1;

    /** The network the clients share: what carries their messages, and finds other clients. */
    public interface Network {
        /**
         * Carries an application message that left to its receiver, with the model's latency,
         * loss and duplicates.
         *
         * @param message the bytes
         * @param senderTag the tag the receiver gets with it, or {@code null}
         * @param to the receiver's address, or {@code null} if it has none (a reply to a tag
         *     nobody owns): the message vanishes
         * @param onArrival run when the message first reaches the receiver (not again for a duplicate),
         *     before it is delivered; or {@code null}
         */
        void carry(byte[] message, SenderTag senderTag, Recipient to, Runnable onArrival);

        /**
         * Returns the paced client with an address.
         *
         * @param address the address
         * @return the client, or {@code null} if none has it
         */
        PacedClient clientAt(Recipient address);

        /**
         * Runs an event of the clients' own (SURB traffic, never lost) after a delay.
         *
         * @param event what happens
         * @param delayNanos when
         */
        void later(Runnable event, long delayNanos);
    }

    /** What a message is, for the network. */
    public enum Kind {
        /** Sent with {@code Send}: no tag, no SURBs. */
        PLAIN,
        /** Sent with {@code SendAnonymous}: carries SURBs, arrives with the sender's tag. */
        ANONYMOUS,
        /** A reply to a tag, spending one SURB per packet. */
        REPLY,
        /** The client asking a tag's owner for more SURBs (one packet, spending a reserve SURB). */
        SURB_REQUEST,
        /** The client answering a SURB request: SURBs only. */
        SURB_REFILL
    }

    /**
     * A message on its way out.
     *
     * @param kind what it is
     * @param recipient where it goes (plain, anonymous, refill), or {@code null}
     * @param replyTag the tag it replies to (reply, SURB request), or {@code null}
     * @param message the application's bytes (plain, anonymous, reply), else {@code null}
     * @param surbs reply SURBs it carries (anonymous, refill), or SURBs asked for (request)
     * @param packets packets it takes
     */
    public record Outgoing(Kind kind, Recipient recipient, SenderTag replyTag, byte[] message, int surbs,
                           int packets) {
    }

    /** A message in a lane, with the packets it still has to send and those still without a SURB. */
    private static final class Queued {
        final Outgoing outgoing;
        final long lane;
        int packetsLeft;
        /** Packets of a reply not yet paid with a SURB; the pacer sends only paid packets. */
        int unpaid;

        Queued(Outgoing outgoing, long lane) {
            this.outgoing = outgoing;
            this.lane = lane;
            this.packetsLeft = outgoing.packets();
        }

        boolean sendable() {
            return packetsLeft > unpaid;
        }
    }

    /** The SURBs this client holds for one tag, and the replies waiting for more. */
    private static final class Pool {
        long available;
        /** SURBs asked for and not come yet. */
        long pendingReception;
        /** Replies with unpaid packets, oldest first. */
        final ArrayDeque<Queued> unpaidReplies = new ArrayDeque<>();
        long unpaidPackets;
        /** When SURBs last came for this tag (or the pool was created). */
        long lastReceivedNanos;
        /** When the client last asked again because none came. */
        long lastRerequestNanos;
        int rerequests;
    }

    private final PacketGeometry geometry;
    private final MixnetModel model;
    /** This client in the network model: its address, the tags it sends with, its messages' fate. */
    private final MixnetModel.Sender sender;
    private final Network network;
    private final double meanGapNanos;
    private final long retryNanos;
    private final long giveUpNanos;
    private final SplittableRandom random;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a lane's packets drop, when {@link #wakeLane} is called, and when the client closes. */
    private final Condition laneShorter = lock.newCondition();
    /** Signalled when something becomes sendable, and when the client closes. */
    private final Condition work = lock.newCondition();
    /** Guarded by {@link #lock}: the lanes with messages queued, in the order they are served. */
    private final LinkedHashMap<Long, ArrayDeque<Queued>> lanes = new LinkedHashMap<>();
    /** Guarded by {@link #lock}: packets queued per lane (paid or not). */
    private final HashMap<Long, Long> lanePackets = new HashMap<>();
    /** Guarded by {@link #lock}: lanes woken by {@link #wakeLane} since their waiters last looked. */
    private final HashMap<Long, Long> laneWakeUps = new HashMap<>();
    /** Guarded by {@link #lock}: SURBs held per tag this client replies to. */
    private final HashMap<SenderTag, Pool> pools = new HashMap<>();
    /** Guarded by {@link #lock}. */
    private boolean closed;
    /** Guarded by {@link #lock}, as are the four counters after it. */
    private long packetsSent;
    private long surbsSent;
    private long surbsUsed;
    private long surbRequests;
    private long repliesDropped;
    private final Thread pacer;

    /**
     * Creates a client and starts its pacer thread.
     *
     * @param costs the costs
     * @param model the network model: reply routes
     * @param sender this client in the model
     * @param network what carries messages once they left
     * @param random the pacer's generator (exponential gaps)
     * @param name the pacer thread's name
     */
    public PacedClient(NymCostModel costs, MixnetModel model, MixnetModel.Sender sender, Network network,
                       SplittableRandom random, String name) {
        this.geometry = costs.geometry();
        this.model = model;
        this.sender = sender;
        this.network = network;
        this.random = random;
        this.meanGapNanos = TimeUnit.SECONDS.toNanos(1) / costs.packetsPerSecond();
        this.retryNanos = costs.surbRequestRetry().toNanos();
        this.giveUpNanos = costs.surbGiveUp().toNanos();
        this.pacer = Thread.ofVirtual().name(name).start(this::pace);
    }

    /**
     * Queues an anonymous message.
     *
     * @param recipient where it goes
     * @param message its bytes
     * @param surbs reply SURBs it carries
     * @param lane its lane, 0 for none
     */
    public void sendAnonymous(Recipient recipient, byte[] message, int surbs, long lane) {
        int packets = geometry.anonymousPackets(message.length, surbs);
        queue(new Outgoing(Kind.ANONYMOUS, recipient, null, message, surbs, packets), lane);
    }

    /**
     * Queues a plain message.
     *
     * @param recipient where it goes
     * @param message its bytes
     * @param lane its lane, 0 for none
     */
    public void send(Recipient recipient, byte[] message, long lane) {
        int packets = geometry.anonymousPackets(message.length, 0);
        queue(new Outgoing(Kind.PLAIN, recipient, null, message, 0, packets), lane);
    }

    /**
     * Queues a reply: its packets leave as SURBs above the reserve pay for them, the client asking
     * the tag's owner for more when they run short. A reply to a tag this client never got SURBs
     * for is dropped, as the nym-client drops it.
     *
     * @param tag the tag replied to
     * @param message its bytes
     * @param lane its lane, 0 for none
     * @return whether it was queued
     */
    public boolean reply(SenderTag tag, byte[] message, long lane) {
        int packets = geometry.replyPackets(message.length);
        lock.lock();
        try {
            Pool pool = pools.get(tag);
            if (closed || pool == null) {
                repliesDropped += closed ? 0 : 1;
                return false;
            }
            Queued queued = new Queued(new Outgoing(Kind.REPLY, null, tag, message, 0, packets), lane);
            queued.unpaid = packets;
            pool.unpaidReplies.addLast(queued);
            pool.unpaidPackets += packets;
            addLanePackets(lane, packets);
            lanes.computeIfAbsent(lane, l -> new ArrayDeque<>()).addLast(queued);
            payReplies(pool);
            askForSurbsIfShort(tag, pool);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The owner of a tag answers a SURB request: queues {@code amount} SURBs to the replier.
     *
     * @param replier where the SURBs go
     * @param amount how many
     */
    public void refill(Recipient replier, int amount) {
        queue(new Outgoing(Kind.SURB_REFILL, replier, null, null, amount, geometry.anonymousPackets(0, amount)),
                SURB_LANE);
    }

    /**
     * SURBs for {@code tag} arrived at this client (with an anonymous message, or a refill): they
     * join its pool, and waiting replies leave as the pool allows.
     *
     * @param tag the tag they are for
     * @param count how many
     * @param refill whether they answer this client's request
     */
    public void surbsArrived(SenderTag tag, int count, boolean refill) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            Pool pool = pools.computeIfAbsent(tag, t -> new Pool());
            pool.available += count;
            pool.lastReceivedNanos = System.nanoTime();
            pool.rerequests = 0;
            if (refill) {
                pool.pendingReception = Math.max(0, pool.pendingReception - count);
            }
            payReplies(pool);
            askForSurbsIfShort(tag, pool);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until a lane holds at most {@code maxQueuedPackets} packets, {@link #wakeLane} is
     * called for it, or the client closes.
     *
     * @param lane the lane
     * @param maxQueuedPackets the most it may hold
     * @return whether the lane has room (false: woken, or closed)
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitLane(long lane, int maxQueuedPackets) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            long wakeUps = laneWakeUps.getOrDefault(lane, 0L);
            while (!closed && lanePackets.getOrDefault(lane, 0L) > maxQueuedPackets) {
                if (laneWakeUps.getOrDefault(lane, 0L) != wakeUps) {
                    return false;
                }
                laneShorter.await();
            }
            return !closed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Wakes the threads waiting in {@link #awaitLane} for a lane.
     *
     * @param lane the lane
     */
    public void wakeLane(long lane) {
        lock.lock();
        try {
            if (lanePackets.containsKey(lane)) { // nobody waits for a lane that holds nothing
                laneWakeUps.merge(lane, 1L, Long::sum);
                laneShorter.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns how many packets a lane holds now (what nym-client reports as {@code LaneQueueLength}).
     *
     * @param lane the lane
     * @return packets queued in it, replies waiting for SURBs included
     */
    public long laneQueueLength(long lane) {
        lock.lock();
        try {
            return lanePackets.getOrDefault(lane, 0L);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns what this client spent so far.
     *
     * @return the costs
     */
    public PacketCosts costs() {
        lock.lock();
        try {
            return new PacketCosts(packetsSent, surbsSent, surbsUsed, surbRequests, repliesDropped);
        } finally {
            lock.unlock();
        }
    }

    /** Stops the pacer; what is queued is dropped. Idempotent. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            lanes.clear();
            lanePackets.clear();
            laneWakeUps.clear();
            pools.clear();
            laneShorter.signalAll();
            work.signalAll();
        } finally {
            lock.unlock();
        }
        pacer.interrupt();
        boolean interrupted = false;
        while (true) {
            try {
                pacer.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void queue(Outgoing outgoing, long lane) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            surbsSent += outgoing.surbs();
            enqueue(new Queued(outgoing, lane));
        } finally {
            lock.unlock();
        }
    }

    /** Puts a message at the end of its lane; called with {@link #lock} held. */
    private void enqueue(Queued queued) {
        addLanePackets(queued.lane, queued.outgoing.packets());
        lanes.computeIfAbsent(queued.lane, l -> new ArrayDeque<>()).addLast(queued);
        work.signal();
    }

    private void addLanePackets(long lane, long packets) {
        long left = lanePackets.getOrDefault(lane, 0L) + packets;
        if (left <= 0) {
            lanePackets.remove(lane);
            laneWakeUps.remove(lane);
        } else {
            lanePackets.put(lane, left);
        }
        if (packets < 0) {
            laneShorter.signalAll();
        }
    }

    /** Pays waiting reply packets with SURBs above the reserve, oldest first; called with {@link #lock} held. */
    private void payReplies(Pool pool) {
        boolean paid = false;
        while (!pool.unpaidReplies.isEmpty() && pool.available > NymCostModel.SURB_RESERVE) {
            Queued head = pool.unpaidReplies.peekFirst();
            int pay = (int) Math.min(head.unpaid, pool.available - NymCostModel.SURB_RESERVE);
            head.unpaid -= pay;
            pool.available -= pay;
            pool.unpaidPackets -= pay;
            surbsUsed += pay;
            paid = true;
            if (head.unpaid == 0) {
                pool.unpaidReplies.pollFirst();
            }
        }
        if (paid) {
            work.signal();
        }
    }

    /**
     * Asks the tag's owner for SURBs if the pool and those asked for fall short of the waiting
     * packets plus the reserve; called with {@link #lock} held.
     */
    private void askForSurbsIfShort(SenderTag tag, Pool pool) {
        long held = pool.available + pool.pendingReception;
        if (pool.unpaidPackets > 0 && held < pool.unpaidPackets + NymCostModel.SURB_RESERVE
                && held < NymCostModel.SURB_POOL_TARGET_MAX) {
            askForSurbs(tag, pool);
        }
    }

    /** Sends a SURB request for the tag, spending a reserve SURB; none is sent without one. */
    private void askForSurbs(SenderTag tag, Pool pool) {
        if (pool.available < 1) {
            return;
        }
        int amount = NymCostModel.surbRequestAmount(pool.unpaidPackets);
        pool.available -= 1;
        surbsUsed += 1;
        pool.pendingReception += amount;
        surbRequests++;
        enqueue(new Queued(new Outgoing(Kind.SURB_REQUEST, null, tag, null, amount, geometry.replyPackets(0)),
                SURB_LANE));
    }

    /** When {@link #checkStalePools} has something to do next, or {@code Long.MAX_VALUE}; called with {@link #lock} held. */
    private long nextSurbTimer() {
        long next = Long.MAX_VALUE;
        for (Pool pool : pools.values()) {
            if (pool.unpaidPackets > 0) {
                long since = Math.max(pool.lastReceivedNanos, pool.lastRerequestNanos);
                next = Math.min(next, Math.min(since + retryNanos, pool.lastReceivedNanos + giveUpNanos));
            }
        }
        return next;
    }

    /**
     * For each tag whose replies wait and for which no SURBs came for the retry time: asks again,
     * or, after the give-up time or too many asks, drops its waiting replies; called with {@link
     * #lock} held.
     */
    private void checkStalePools(long now) {
        for (Map.Entry<SenderTag, Pool> entry : pools.entrySet()) {
            Pool pool = entry.getValue();
            long since = Math.max(pool.lastReceivedNanos, pool.lastRerequestNanos);
            if (pool.unpaidPackets == 0 || now - since < retryNanos) {
                continue;
            }
            if (now - pool.lastReceivedNanos >= giveUpNanos || pool.rerequests >= NymCostModel.SURB_REQUEST_ATTEMPTS) {
                dropUnpaidReplies(pool);
            } else {
                pool.rerequests++;
                pool.lastRerequestNanos = now;
                pool.pendingReception = 0; // what was asked for is presumed lost
                askForSurbs(entry.getKey(), pool);
            }
        }
    }

    /** Drops every reply of the pool that still waits for SURBs, even partly sent ones' rest. */
    private void dropUnpaidReplies(Pool pool) {
        for (Queued dropped : pool.unpaidReplies) {
            lanes.get(dropped.lane).remove(dropped);
            if (lanes.get(dropped.lane).isEmpty()) {
                lanes.remove(dropped.lane);
            }
            addLanePackets(dropped.lane, -dropped.packetsLeft);
            repliesDropped++;
        }
        pool.unpaidReplies.clear();
        pool.unpaidPackets = 0;
        pool.rerequests = 0;
        pool.pendingReception = 0;
    }

    /** Takes the next packet to send: the first lane in turn whose head is paid; called with {@link #lock} held. */
    private Queued nextPacket() {
        Iterator<Map.Entry<Long, ArrayDeque<Queued>>> turn = lanes.entrySet().iterator();
        while (turn.hasNext()) {
            Map.Entry<Long, ArrayDeque<Queued>> lane = turn.next();
            Queued head = lane.getValue().peekFirst();
            if (head.sendable()) {
                turn.remove();
                head.packetsLeft--;
                if (head.packetsLeft == 0) {
                    lane.getValue().pollFirst();
                }
                if (!lane.getValue().isEmpty()) {
                    lanes.put(lane.getKey(), lane.getValue()); // to the back: the next lane's turn
                }
                return head;
            }
        }
        return null;
    }

    /**
     * A message's last packet has left: it starts on its way. An anonymous message's SURBs join
     * the receiver's pool when it arrives; a SURB request reaches the tag's owner, which answers
     * with a refill, and a refill reaches the replier, after the model's delay and never lost.
     */
    private void left(Outgoing out) {
        Recipient me = sender.address();
        switch (out.kind()) {
            case PLAIN -> network.carry(out.message(), null, out.recipient(), null);
            case ANONYMOUS -> {
                SenderTag tag = sender.tagFor(out.recipient());
                PacedClient receiver = network.clientAt(out.recipient());
                network.carry(out.message(), tag, out.recipient(), receiver == null || out.surbs() == 0 ? null
                        : () -> receiver.surbsArrived(tag, out.surbs(), false));
            }
            case REPLY -> network.carry(out.message(), null, model.replyRoute(out.replyTag(), me), null);
            case SURB_REQUEST -> {
                Recipient owner = model.replyRoute(out.replyTag(), me);
                PacedClient asked = owner == null ? null : network.clientAt(owner);
                if (asked != null) {
                    network.later(() -> asked.refill(me, out.surbs()), sender.fate().delayNanos());
                }
            }
            case SURB_REFILL -> {
                SenderTag tag = sender.tagFor(out.recipient());
                PacedClient replier = network.clientAt(out.recipient());
                if (replier != null) {
                    network.later(() -> replier.surbsArrived(tag, out.surbs(), true), sender.fate().delayNanos());
                }
            }
        }
    }

    /**
     * The pacer: one packet per exponential gap (a Poisson process, as the nym-client's), lanes
     * served in turn. A slot with nothing to send would carry cover traffic, which is not counted;
     * after an idle spell the next packet leaves a fresh gap after work comes (the process is
     * memoryless, so that is the same wait).
     */
    private void pace() {
        try {
            long slot = System.nanoTime();
            while (true) {
                // Slots are kept on an absolute schedule, so that a sleep that overruns does not slow
                // the pace; a pacer far behind (a pause) starts afresh rather than bursting.
                slot = Math.max(slot, System.nanoTime() - 10 * (long) meanGapNanos)
                        + (long) (-Math.log(1 - random.nextDouble()) * meanGapNanos);
                long wait = slot - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                Outgoing done = null;
                lock.lock();
                try {
                    if (closed) {
                        return;
                    }
                    checkStalePools(System.nanoTime());
                    Queued packet = nextPacket();
                    if (packet == null) {
                        // Idle: wait for work, or until SURBs are to be asked for again or
                        // replies given up (checked at the top of the next turn).
                        long timer = nextSurbTimer();
                        if (timer == Long.MAX_VALUE) {
                            work.await();
                        } else {
                            work.awaitNanos(Math.max(1, timer - System.nanoTime()));
                        }
                        slot = System.nanoTime();
                        continue; // the next packet leaves a gap from now
                    }
                    packetsSent++;
                    addLanePackets(packet.lane, -1);
                    if (packet.packetsLeft == 0) {
                        done = packet.outgoing;
                    }
                } finally {
                    lock.unlock();
                }
                if (done != null) {
                    left(done);
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }
}
