package dev.mosaic.backends.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.eclipse.jetty.client.HttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mosaic.backends.BackendSpec;
import dev.mosaic.backends.BackendStats;
import dev.mosaic.backends.BackendStats.Transition;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;

/**
 * One backend of one environment as calls use it: its declaration, the headers it adds (secrets
 * read), its client, and its protections — a circuit breaker and a concurrency limit
 * (resilience4j), a retry budget, the turn of its base URLs — and its figures.
 */
final class Declared {

    private static final Logger LOG = LoggerFactory.getLogger(Declared.class);
    private static final int TRANSITIONS_KEPT = 20;

    final String env;
    final BackendSpec spec;
    /** Header name and value pairs, secrets included: never logged, never shown. */
    final List<String[]> headers;
    /** Why this backend cannot be called on this runtime (a secret or store unreadable), or null. */
    final String unusable;
    final HttpClient client;
    final CircuitBreaker breaker;
    final Bulkhead bulkhead;
    final RetryBudget budget;
    final Endpoints endpoints;
    final Latencies latencies = new Latencies();
    final LongAdder calls = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder retries = new LongAdder();
    final LongAdder retriesRefused = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final AtomicInteger inFlight = new AtomicInteger();
    private final Deque<Transition> transitions = new ArrayDeque<>();
    /** The breaker's state when last looked at. */
    private volatile CircuitBreaker.State lastState = CircuitBreaker.State.CLOSED;

    Declared(String env, BackendSpec spec, Secrets secrets, Clients clients) {
        this.env = env;
        this.spec = spec;
        List<String[]> h = new ArrayList<>();
        spec.headers().forEach((n, v) -> h.add(new String[] {n, v}));
        String problem = null;
        HttpClient c = null;
        try {
            for (Map.Entry<String, String> s : spec.secretHeaders().entrySet()) {
                h.add(new String[] {s.getKey(), secrets.read(s.getValue(), "secret header " + s.getKey())});
            }
            c = clients.forTls(Clients.Tls.of(spec));
        } catch (IllegalArgumentException e) {
            problem = "backend " + spec.name() + " in " + env + " cannot be called on this runtime: " + e.getMessage();
            LOG.error(problem);
        }
        this.headers = List.copyOf(h);
        this.unusable = problem;
        this.client = c;
        this.breaker = CircuitBreaker.of(env + "/" + spec.name(), CircuitBreakerConfig.custom()
                .slidingWindowType(SlidingWindowType.TIME_BASED)
                .slidingWindowSize(spec.breakerWindowSeconds())
                // every call records its outcome: no lock shared by all the threads calling one backend
                .slidingWindowSynchronizationStrategy(CircuitBreakerConfig.SlidingWindowSynchronizationStrategy.LOCK_FREE)
                .minimumNumberOfCalls(spec.breakerMinCalls())
                .failureRateThreshold(spec.breakerFailurePercent())
                .waitDurationInOpenState(Duration.ofMillis(spec.breakerOpenMillis()))
                .permittedNumberOfCallsInHalfOpenState(3)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .writableStackTraceEnabled(false)
                .build());
        this.bulkhead = Bulkhead.of(env + "/" + spec.name(), BulkheadConfig.custom()
                .maxConcurrentCalls(spec.maxConcurrent())
                .maxWaitDuration(Duration.ZERO)
                .writableStackTraceEnabled(false)
                .build());
        this.budget = new RetryBudget(spec.retryBudgetPercent(), System::currentTimeMillis);
        this.endpoints = new Endpoints(spec.urls());
    }

    /**
     * Records a change of the breaker's state since the last look. Called after every permission
     * asked and outcome recorded: a volatile read when nothing changed. (Not resilience4j's event
     * publisher: with a consumer registered it makes an event, with its time of day, for every call.)
     */
    void noticeBreakerState() {
        CircuitBreaker.State now = breaker.getState();
        if (now != lastState) {
            transition(now);
        }
    }

    private synchronized void transition(CircuitBreaker.State now) {
        CircuitBreaker.State before = lastState;
        if (now == before) {
            return;
        }
        lastState = now;
        String from = before.toString().toLowerCase(java.util.Locale.ROOT);
        String to = now.toString().toLowerCase(java.util.Locale.ROOT);
        synchronized (transitions) {
            transitions.addLast(new Transition(Instant.now().toString(), from, to));
            while (transitions.size() > TRANSITIONS_KEPT) {
                transitions.removeFirst();
            }
        }
        if (now == CircuitBreaker.State.OPEN) {
            LOG.warn("backend {} in {}: circuit breaker opened ({}% of recent calls failed); calls fail fast for {} ms",
                    spec.name(), env, Math.round(breaker.getMetrics().getFailureRate()), spec.breakerOpenMillis());
        } else {
            LOG.info("backend {} in {}: circuit breaker {} -> {}", spec.name(), env, from, to);
        }
    }

    BackendStats stats() {
        List<Transition> t;
        synchronized (transitions) {
            t = List.copyOf(transitions);
        }
        return new BackendStats(env, spec, calls.sum(), errors.sum(), retries.sum(), retriesRefused.sum(), rejected.sum(),
                inFlight.get(), latencies.percentile(0.5), latencies.percentile(0.99),
                breaker.getState().toString().toLowerCase(java.util.Locale.ROOT), t, endpoints.states(),
                latencies.histogram.snapshot());
    }
}
