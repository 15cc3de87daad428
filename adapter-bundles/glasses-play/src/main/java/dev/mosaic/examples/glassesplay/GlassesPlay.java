package dev.mosaic.examples.glassesplay;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

import dev.mosaic.api.HttpException;
import dev.mosaic.api.Modules;
import dev.mosaic.api.Request;
import dev.mosaic.api.Route;
import dev.mosaic.api.RouteHandler;
import dev.mosaic.examples.catalog.Catalog;
import dev.mosaic.examples.catalog.Title;

/** Starts playback on smart glasses. Uses catalog 2.x, whose titles carry artwork. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE)
@Route(method = "GET", path = "/glasses/play/{titleId}", blocking = false)
public class GlassesPlay implements RouteHandler {

    /** What the glasses need to start playing. */
    public record Play(String device, String adapterVersion, String moduleVersion, Title title, String streamUrl) {
    }

    @Override
    public Object handle(Request request) {
        String id = request.pathParam("titleId");
        Title title = Catalog.find(id).orElseThrow(() -> new HttpException(404, "no title with id " + id));
        return new Play("glasses", Modules.versionOf(GlassesPlay.class), Modules.versionOf(Catalog.class), title,
                "https://stream.example.com/" + title.id() + "/glasses.m3u8");
    }
}
