package dev.mosaic.gateway.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.eclipse.jetty.util.thread.QueuedThreadPool;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mosaic.api.Response;

/**
 * For the throughput benchmark (bench/, through this module's test-jar): Mosaic's device
 * handler with one route in a plain Jetty, no OSGi: the gateway's own code
 * on the request path, set apart from the runtime around it. Run as {@code PlainGateway
 * HANDLER/MODE BODYFILE}; prints {@code plain gateway ready on port N}. Its route
 * {@code /bench} answers the body from a handler declared non-blocking (HANDLER
 * {@code nonblocking}) or blocking ({@code blocking}), with the gateway in MODE
 * ({@code adaptive}, {@code blocking} or {@code nonblocking}, as {@code mosaic.gateway.invocationType}).
 */
public final class PlainGateway {

    private PlainGateway() {
    }

    public static void main(String[] args) throws Exception {
        String[] handlerAndMode = args[0].split("/", 2);
        boolean nonBlocking = handlerAndMode[0].equals("nonblocking");
        String mode = handlerAndMode.length > 1 ? handlerAndMode[1] : handlerAndMode[0];
        byte[] body = Files.readAllBytes(Path.of(args[1]));
        Response answer = Response.status(200).header("Content-Type", "application/json").body(body);
        ObjectMapper mapper = Json.mapper();
        QueuedThreadPool adapterPool = new QueuedThreadPool(2048, 8, 30_000);
        adapterPool.setName("plain-adapter");
        adapterPool.start();
        Deadlines deadlines = new Deadlines(10);
        Tenant tenant = new Tenant(1, "bench", "1.0.0", 2000, 256);
        Target target = new Target(null, request -> answer, tenant, "GET", RouteTemplate.parse("/bench"), nonBlocking);
        Map<String, RoutingTable<Target>> tables = Map.of("prod", RoutingTable.of(List.of(target.entry())));

        GatewaySettings settings = GatewaySettings.from(java.util.Map.of("mosaic.gateway.invocationType", mode,
                "mosaic.gateway.inPlaceCalls", "100")::get);
        DeviceHandler handler = new DeviceHandler(() -> tables, mapper, adapterPool, deadlines, settings);
        BenchServer.serveWithDeviceConnector("plain gateway", handler, settings.mode() == GatewaySettings.Mode.ADAPTIVE);
    }
}
