package dev.mosaic.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

import com.sun.jdi.Bootstrap;
import com.sun.jdi.Location;
import com.sun.jdi.ReferenceType;
import com.sun.jdi.VirtualMachine;
import com.sun.jdi.connect.AttachingConnector;
import com.sun.jdi.connect.Connector;
import com.sun.jdi.event.BreakpointEvent;
import com.sun.jdi.event.Event;
import com.sun.jdi.event.EventSet;
import com.sun.jdi.request.BreakpointRequest;
import com.sun.jdi.request.EventRequest;

/**
 * {@code bin/mosaic run --debug PORT}: a debugger (JDI, as an IDE's remote debug uses) attaches
 * on loopback, stops in an adapter's handler while a device request waits, and lets it answer.
 */
public class DebuggerIT {

    @Test
    public void aDebuggerAttachesAndStopsInAnAdapter() throws Exception {
        int port = LaunchedRuntime.freePort();
        Path data = LaunchedRuntime.newDataDir();
        try (LaunchedRuntime rt = LaunchedRuntime.startScript(LaunchedRuntime.script(), data, "--debug", Integer.toString(port))) {
            String said = Files.readString(rt.log);
            assertTrue(said, said.contains("mosaic: debugger on 127.0.0.1:" + port + ": jdb -attach 127.0.0.1:" + port));
            assertEquals("the runtime serves with the agent on", 200, HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + rt.port + "/tv/home")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            VirtualMachine vm = attach(port);
            try {
                List<ReferenceType> types = vm.classesByName("dev.mosaic.examples.tvhome.TvHome");
                assertFalse("the adapter's class is loaded in the runtime", types.isEmpty());
                Location handle = types.get(0).methodsByName("handle").get(0).location();
                BreakpointRequest bp = vm.eventRequestManager().createBreakpointRequest(handle);
                bp.setSuspendPolicy(EventRequest.SUSPEND_EVENT_THREAD);
                bp.enable();

                CompletableFuture<HttpResponse<String>> page = HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + rt.port + "/tv/home")).build(), HttpResponse.BodyHandlers.ofString());
                BreakpointEvent hit = awaitBreakpoint(vm);
                assertNotNull("the request stopped in TvHome.handle", hit);
                assertEquals("handle", hit.location().method().name());
                assertFalse("the device waits while the adapter is stopped", page.isDone());
                bp.disable();
                hit.thread().resume();
                assertEquals(200, page.get(30, TimeUnit.SECONDS).statusCode());
            } finally {
                vm.dispose();
            }
        }
    }

    private static VirtualMachine attach(int port) throws Exception {
        AttachingConnector socket = Bootstrap.virtualMachineManager().attachingConnectors().stream()
                .filter(c -> c.transport().name().equals("dt_socket")).findFirst().orElseThrow();
        Map<String, Connector.Argument> args = socket.defaultArguments();
        args.get("hostname").setValue("127.0.0.1");
        args.get("port").setValue(Integer.toString(port));
        return socket.attach(args);
    }

    /** @return the first breakpoint hit within 30 s, other events resumed; null if none */
    private static BreakpointEvent awaitBreakpoint(VirtualMachine vm) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            EventSet events = vm.eventQueue().remove(1000);
            if (events == null) {
                continue;
            }
            for (Event e : events) {
                if (e instanceof BreakpointEvent b) {
                    return b;
                }
            }
            events.resume();
        }
        return null;
    }
}
