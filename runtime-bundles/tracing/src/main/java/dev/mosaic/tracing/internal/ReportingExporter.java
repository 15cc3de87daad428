package dev.mosaic.tracing.internal;

import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

/**
 * Says in the runtime's log, in one line, when spans cannot reach the collector (the first failure, then at most once a
 * minute with how many were dropped since) and when they reach it again; the exporter's own java.util.logging output,
 * a stack trace per failure, is turned off by {@link TracingComponent}.
 */
final class ReportingExporter implements SpanExporter {

    private static final Logger LOG = LoggerFactory.getLogger(ReportingExporter.class);
    private static final long EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final SpanExporter delegate;
    private final String endpoint;
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean failing;
    private volatile long lastSaid;

    ReportingExporter(SpanExporter delegate, String endpoint) {
        this.delegate = delegate;
        this.endpoint = endpoint;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        CompletableResultCode result = delegate.export(spans);
        int n = spans.size();
        result.whenComplete(() -> {
            if (result.isSuccess()) {
                if (failing) {
                    failing = false;
                    LOG.info("tracing: spans reach {} again ({} dropped while they did not)", endpoint, dropped.getAndSet(0));
                }
                return;
            }
            long total = dropped.addAndGet(n);
            long now = System.nanoTime();
            if (!failing || now - lastSaid > EVERY_NANOS) {
                failing = true;
                lastSaid = now;
                Throwable why = result.getFailureThrowable();
                LOG.warn("tracing: could not export spans to {}: {}; {} span(s) dropped so far, still trying (said again at"
                        + " most once a minute)", endpoint, why == null ? "the collector refused them" : describe(why), total);
            }
        });
        return result;
    }

    /** @return the failure and, if another, its root cause: {@code ConnectException: ClosedChannelException} */
    private static String describe(Throwable t) {
        while (t.getClass().getSimpleName().endsWith("ExportException") && t.getCause() != null) {
            t = t.getCause(); // the exporter's wrapper says nothing of its own
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String said = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : " (" + t.getMessage() + ")");
        return root == t ? said : said + ": " + root.getClass().getSimpleName() + (root.getMessage() == null ? ""
                : " (" + root.getMessage() + ")");
    }

    @Override
    public CompletableResultCode flush() {
        return delegate.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
        return delegate.shutdown();
    }
}
