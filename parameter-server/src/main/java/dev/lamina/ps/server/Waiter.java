package dev.lamina.ps.server;

/**
 * Whom an aggregator's reply goes to: a worker's socket connection ({@link ServerHandler.ChannelWaiter}) or
 * a worker thread in this JVM ({@link InProcessConnection}).
 */
interface Waiter {

    /**
     * Hands {@code reply} over, from any thread and outside the aggregator's lock; takes over the reply's
     * parameter lease (sends it, keeps it or releases it).
     */
    void answer(Reply<Waiter> reply);
}
