package dev.mosaic.shell.internal;

import org.apache.felix.service.command.Converter;
import org.osgi.service.component.annotations.Component;

/** Teaches the Gogo shell to show Mosaic's result objects as text. */
@Component(service = Converter.class)
public final class ConsoleFormatter implements Converter {

    @Override
    public Object convert(Class<?> desiredType, Object in) {
        return null;
    }

    @Override
    public CharSequence format(Object target, int level, Converter escape) {
        return Formats.format(target);
    }
}
