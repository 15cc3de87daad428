package dev.mosaic.examples.tvhome;

import java.util.List;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

import dev.mosaic.api.Modules;
import dev.mosaic.api.Request;
import dev.mosaic.api.Route;
import dev.mosaic.api.RouteHandler;
import dev.mosaic.examples.catalog.Catalog;
import dev.mosaic.examples.catalog.Title;

/**
 * The TV home page. Compiled against catalog 1.0.0 and importing it with the range
 * {@code [1.0,2)}, so it runs on the newest 1.x the platform has.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE)
@Route(method = "GET", path = "/tv/home", blocking = false)
public class TvHome implements RouteHandler {

    /** The page a TV renders. */
    public record Page(String device, String adapterVersion, String moduleVersion, List<Row> rows) {
    }

    /** One row of titles. */
    public record Row(String name, List<Title> titles) {
    }

    @Override
    public Object handle(Request request) {
        return new Page("tv", Modules.versionOf(TvHome.class), Modules.versionOf(Catalog.class),
                List.of(new Row("All titles", Catalog.titles())));
    }
}
