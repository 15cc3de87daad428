package dev.mosaic.gateway.internal;

import java.util.Map;

/** Gateway settings for unit tests: small bodies, a generous inline budget. */
final class TestSettings {

    private TestSettings() {
    }

    static GatewaySettings of(GatewaySettings.Mode mode, int inPlaceCalls) {
        return GatewaySettings.from(Map.of("mosaic.gateway.maxBodyBytes", "1024", "mosaic.gateway.minRequestDataRate", "1024",
                "mosaic.gateway.maxBodyMillis", "30000", "mosaic.gateway.inlineBudgetMicros", "50000",
                "mosaic.gateway.inlineWarmupCalls", "0",
                "mosaic.gateway.invocationType", mode.name(), "mosaic.gateway.inPlaceCalls", Integer.toString(inPlaceCalls))::get);
    }
}
