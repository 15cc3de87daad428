package dev.mosaic.tracing.internal;

import java.util.Hashtable;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.common.ComponentLoader;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.exporter.sender.jdk.internal.JdkHttpSenderProvider;
import io.opentelemetry.sdk.common.export.HttpSenderProvider;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;

/**
 * Sets up OpenTelemetry's SDK as the runtime's properties say ({@link TracingSettings}) and offers it as a
 * {@link TracerProvider} service, which the gateway (a span per device request) and the backends (a span per backend
 * call) use while it is there. Tracing off: no service, and they only pass W3C trace context along.
 */
@Component(immediate = true)
public final class TracingComponent {

    private static final Logger LOG = LoggerFactory.getLogger(TracingComponent.class);

    /**
     * The exporter's java.util.logging logger, off: it logs a stack trace per failed export, which
     * {@link ReportingExporter} says in one line instead. Held: java.util.logging keeps loggers weakly.
     */
    private static final java.util.logging.Logger EXPORTER_LOG = java.util.logging.Logger.getLogger("io.opentelemetry.exporter");

    private SdkTracerProvider provider;
    private ServiceRegistration<TracerProvider> registration;

    @Activate
    void activate(BundleContext context) {
        TracingSettings settings;
        try {
            settings = TracingSettings.from(context::getProperty, System::getenv);
        } catch (IllegalArgumentException e) {
            LOG.error("tracing is off: {}", e.getMessage());
            return;
        }
        if (!settings.on()) {
            return;
        }
        EXPORTER_LOG.setLevel(java.util.logging.Level.OFF);
        String instance = context.getProperty("mosaic.instance");
        provider = provider(settings, instance == null ? UUID.randomUUID().toString() : instance);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("mosaic.tracing.endpoint", settings.endpointForLog());
        props.put("mosaic.tracing.sample", settings.samplingForLog());
        registration = context.registerService(TracerProvider.class, provider, props);
        LOG.info("tracing: a span per device request and per backend call, {}, exported to {}{}",
                settings.samplingForLog(), settings.endpointForLog(),
                settings.headers().isEmpty() ? "" : " with headers " + settings.headers().keySet());
    }

    /** @return the SDK as the settings say: sampled, and with an OTLP exporter when there is an endpoint */
    static SdkTracerProvider provider(TracingSettings settings, String instance) {
        SdkTracerProviderBuilder b = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
                        AttributeKey.stringKey("service.name"), settings.serviceName(),
                        AttributeKey.stringKey("service.instance.id"), instance))))
                .setSampler(sampler(settings, System::nanoTime));
        if (settings.endpoint() != null) {
            OtlpHttpSpanExporterBuilder exporter = OtlpHttpSpanExporter.builder()
                    .setEndpoint(settings.endpoint().toString())
                    .setTimeout(10, TimeUnit.SECONDS)
                    .setComponentLoader(SENDER);
            settings.headers().forEach(exporter::addHeader);
            b.addSpanProcessor(BatchSpanProcessor.builder(new ReportingExporter(exporter.build(), settings.endpointForLog()))
                    .setScheduleDelay(settings.exportDelay()).build());
        } else {
            // spans made and dropped: without any processor the SDK would make none at all (no ids to pass on either)
            b.addSpanProcessor(DISCARD);
        }
        return b.build();
    }

    /**
     * @return whether a trace is kept: one asked for, always; one that starts here, if the share asked for keeps it, at most
     *         the number a second asked for; one a caller sampled, by the same share (of its trace id) and at most as many
     *         again (unless callers are followed); one a caller did not sample, never; a span whose parent is in this
     *         runtime (a backend call's), as its parent
     * @param nanoTime the clock of the caps ({@link System#nanoTime} but in tests)
     */
    static Sampler sampler(TracingSettings settings, java.util.function.LongSupplier nanoTime) {
        Sampler share = settings.sample() == 1.0 ? Sampler.alwaysOn() : Sampler.traceIdRatioBased(settings.sample());
        var b = Sampler.parentBasedBuilder(new CappedSampler(share, settings.perSecond(), nanoTime));
        if (settings.callersCapped()) {
            // the share decides on the caller's trace id: a caller that sampled a smaller share of trace ids the same way
            // (OpenTelemetry's ratio sampler, as here) has all of its traces kept
            b.setRemoteParentSampled(new CappedSampler(share, settings.perSecond(), nanoTime));
        }
        return b.build();
    }

    /** Takes the spans of a runtime that traces with nowhere to send them (mosaic.tracing=on without an endpoint). */
    private static final io.opentelemetry.sdk.trace.SpanProcessor DISCARD = new io.opentelemetry.sdk.trace.SpanProcessor() {
        @Override
        public void onStart(io.opentelemetry.context.Context parent, io.opentelemetry.sdk.trace.ReadWriteSpan span) {
        }

        @Override
        public boolean isStartRequired() {
            return false;
        }

        @Override
        public void onEnd(io.opentelemetry.sdk.trace.ReadableSpan span) {
        }

        @Override
        public boolean isEndRequired() {
            return false;
        }
    };

    /**
     * Where the exporter finds how to send: the JDK's HTTP client, named here rather than found by a ServiceLoader
     * lookup (which in OSGi would need a mediator such as SPI Fly).
     */
    private static final ComponentLoader SENDER = new ComponentLoader() {
        @Override
        @SuppressWarnings("unchecked")
        public <T> Iterable<T> load(Class<T> type) {
            return type == HttpSenderProvider.class ? List.of((T) new JdkHttpSenderProvider()) : List.of();
        }
    };

    @Deactivate
    void deactivate() {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
        if (provider != null) {
            provider.shutdown().join(10, TimeUnit.SECONDS); // the spans still waiting are sent
            provider = null;
        }
    }
}
