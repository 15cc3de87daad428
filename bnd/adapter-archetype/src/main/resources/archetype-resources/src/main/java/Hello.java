package ${package};

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

import dev.mosaic.api.Request;
import dev.mosaic.api.Route;
import dev.mosaic.api.RouteHandler;

/** One route of this adapter: what it returns is written as JSON. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE)
@Route(method = "GET", path = "${route}")
public class Hello implements RouteHandler {
    public record Greeting(String greeting, String environment) {}

    @Override
    public Object handle(Request request) {
        String name = request.query("name");
        return new Greeting("hello, " + (name == null ? "world" : name), request.environment());
    }
}
