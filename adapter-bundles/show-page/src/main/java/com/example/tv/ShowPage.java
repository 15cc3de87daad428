package com.example.tv;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

import dev.mosaic.api.Request;
import dev.mosaic.api.Route;
import dev.mosaic.api.RouteHandler;

/** The adapter the README writes: one route, a path parameter and a query parameter. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE)
@Route(method = "GET", path = "/tv/shows/{showId}")
public class ShowPage implements RouteHandler {
    public record Page(String showId, String profile) {}

    @Override
    public Object handle(Request request) {
        return new Page(request.pathParam("showId"), request.query("profile"));
    }
}
