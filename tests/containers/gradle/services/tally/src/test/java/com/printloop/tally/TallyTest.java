package com.printloop.tally;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import org.junit.Test;

public class TallyTest {
    @Test
    public void sumsTheRuns() {
        assertEquals(750, Tally.total("500, 250"));
    }

    @Test
    public void refusesARunWithoutSheets() {
        assertThrows(IllegalArgumentException.class, () -> Tally.total("500,0"));
    }
}
