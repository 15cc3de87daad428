package dev.mosaic.gateway.internal;

import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Jetty's thread pool for device traffic. A connection that Jetty hands to the pool to run
 * its read loop again (it resumes reading once a request completes on another thread) goes
 * through its endpoint's {@link DeviceEndPoint#serially}, like a read from the selector: the
 * read loop of a device connection never runs on two threads at once.
 */
final class DeviceThreads extends QueuedThreadPool {

    DeviceThreads(int maxThreads, int minThreads) {
        super(maxThreads, minThreads);
    }

    @Override
    public void execute(Runnable job) {
        if (job instanceof Connection connection && connection.getEndPoint() instanceof DeviceEndPoint device) {
            super.execute(() -> device.serially(job));
        } else {
            super.execute(job);
        }
    }
}
