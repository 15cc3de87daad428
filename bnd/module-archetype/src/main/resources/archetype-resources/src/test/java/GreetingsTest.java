package ${package};

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class GreetingsTest {

    @Test
    void greetsByNameOrTheWorld() {
        assertEquals("hello, kids", Greetings.greet(" kids "));
        assertEquals("hello, world", Greetings.greet(null));
    }
}
