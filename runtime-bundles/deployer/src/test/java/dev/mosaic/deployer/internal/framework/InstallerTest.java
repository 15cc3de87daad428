package dev.mosaic.deployer.internal.framework;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

class InstallerTest {

    @Test
    void componentNamesAreReadFromTheDescriptions() {
        assertEquals(List.of("com.example.ShowPage"), Installer.componentNames("""
                <?xml version="1.0" encoding="UTF-8"?>
                <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.3.0" name="com.example.ShowPage">
                  <property name="mosaic.route.path" type="String" value="/tv/shows/{showId}"/>
                  <reference name="catalog" interface="com.example.Catalog"/>
                  <implementation class="com.example.ShowPage"/>
                </scr:component>"""));
        assertEquals(List.of("a", "b"), Installer.componentNames("""
                <components><component name='a' immediate="true"><implementation class="A"/></component>
                <component
                    enabled="true" name="b"><implementation class="B"/></component></components>"""));
    }

    @Test
    void aComponentWithoutANameMeansTheNamesCannotBeTold() {
        assertNull(Installer.componentNames("""
                <component name="a"><implementation class="A"/></component>
                <component><implementation class="B"/></component>"""));
    }
}
