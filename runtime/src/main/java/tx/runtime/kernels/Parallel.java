package tx.runtime.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The threads that large kernels share (issue 15, item 7): a small fixed pool of daemon threads,
 * as many as {@link #threads()} less the caller, which takes part too. A kernel splits its output
 * into tasks that write disjoint parts, and {@link #run} hands them out.
 *
 * <p>NOTE: deterministic by construction: a task computes each of its output elements alone, in
 * the order the one-thread kernel does (a product sums each element in order over k, whatever
 * its rows' block), so the bits never depend on how many threads there are or which took which
 * task. Work that adds up across tasks (a full sum) is not split.
 */
public final class Parallel {
    private Parallel() {}

    /** The number of threads kernels use: the processors, unless {@link #setThreads} or TX_THREADS says otherwise. */
    private static volatile int threads = initial();

    private static int initial() {
        String s = System.getProperty("tx.threads", System.getenv("TX_THREADS"));
        try {
            if (s != null && !s.isEmpty()) return Math.max(1, Integer.parseInt(s.trim()));
        } catch (NumberFormatException e) {
            System.err.println("tx: warning: TX_THREADS is `" + s + "`, not a number of threads; using " + Runtime.getRuntime().availableProcessors());
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /** How many threads kernels use (1: everything on the caller's thread). */
    public static int threads() {
        return threads;
    }

    /** Sets how many threads kernels use from now on (at least 1): {@code --threads N}. */
    public static void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("a number of threads is at least 1, got " + n);
        threads = n;
    }

    /** The pool's workers, started on first use; a worker runs the tasks of one {@link Job} at a time. */
    private static final java.util.concurrent.ExecutorService POOL = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tx-kernel");
        t.setDaemon(true);
        return t;
    });

    /**
     * Runs {@code task.accept(i)} for every i below {@code tasks}, on up to {@link #threads()}
     * threads, the caller's among them; returns when all have run. An exception in a task is
     * thrown here, after the others have finished.
     */
    public static void run(int tasks, IntConsumer task) {
        int helpers = Math.min(threads, tasks) - 1;
        if (helpers <= 0 || Thread.currentThread().getName().equals("tx-kernel")) { // NOTE: a task never waits on the pool it runs in
            for (int i = 0; i < tasks; i++) task.accept(i);
            return;
        }
        Job job = new Job(tasks, task);
        java.util.List<java.util.concurrent.Future<?>> started = new java.util.ArrayList<>(helpers);
        for (int h = 0; h < helpers; h++) started.add(POOL.submit(job::work));
        job.work();
        for (java.util.concurrent.Future<?> f : started) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while kernels ran", e);
            } catch (java.util.concurrent.ExecutionException e) {
                job.fail(e.getCause());
            }
        }
        if (job.failure != null) {
            if (job.failure instanceof RuntimeException r) throw r;
            if (job.failure instanceof Error err) throw err;
            throw new IllegalStateException(job.failure);
        }
    }

    /** One call's tasks, taken in turn by whoever is free. */
    private static final class Job {
        final int tasks;
        final IntConsumer task;
        final AtomicInteger next = new AtomicInteger();
        volatile Throwable failure;

        Job(int tasks, IntConsumer task) {
            this.tasks = tasks;
            this.task = task;
        }

        void work() {
            try {
                for (int i = next.getAndIncrement(); i < tasks && failure == null; i = next.getAndIncrement()) task.accept(i);
            } catch (RuntimeException | Error e) {
                fail(e);
            }
        }

        synchronized void fail(Throwable t) {
            if (failure == null) failure = t;
        }
    }
}
