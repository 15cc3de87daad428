package dev.mosaic.examples.mobilehome;

import java.util.List;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

import dev.mosaic.api.Modules;
import dev.mosaic.api.Request;
import dev.mosaic.api.Route;
import dev.mosaic.api.RouteHandler;
import dev.mosaic.examples.catalog.Catalog;
import dev.mosaic.examples.catalog.Title;

/** The mobile home page, pinned to catalog 1.0.0 (see bnd.bnd). */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE)
@Route(method = "GET", path = "/mobile/home", blocking = false)
public class MobileHome implements RouteHandler {

    /** A compact page for phones: the first titles only. */
    public record Page(String device, String adapterVersion, String moduleVersion, List<Title> titles) {
    }

    @Override
    public Object handle(Request request) {
        List<Title> titles = Catalog.titles();
        return new Page("mobile", Modules.versionOf(MobileHome.class), Modules.versionOf(Catalog.class),
                titles.subList(0, Math.min(2, titles.size())));
    }
}
