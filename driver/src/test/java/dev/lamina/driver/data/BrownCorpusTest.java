package dev.lamina.driver.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BrownCorpusTest {

    @Test
    void tagsAreStrippedAndPunctuationAttached() {
        String tagged = "\n\n\tThe/at Fulton/np-tl jury/nn said/vbd ``/`` no/at evidence/nn ''/'' ,/, it/pps is/bez n't/* "
                + "John's/np$ (/( yes/rb )/) ./.\n\n\tNext/ap one/cd ./.\n";
        assertEquals("The Fulton jury said \"no evidence\", it isn't John's (yes).\nNext one.\n",
                BrownCorpus.untag(tagged));
    }

    @Test
    void testSplitIsEveryTenthFile() {
        assertTrue(BrownCorpus.isTest("ca10"));
        assertTrue(BrownCorpus.isTest("cr00") || !BrownCorpus.isTest("cr01"));
        assertFalse(BrownCorpus.isTest("ca11"));
    }
}
