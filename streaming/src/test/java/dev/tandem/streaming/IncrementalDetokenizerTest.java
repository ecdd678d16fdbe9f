package dev.tandem.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IncrementalDetokenizerTest {

  private static final String TEXT =
      "def f(x):\n    return x  # café, naïve, 日本語のテキスト, emoji 😀👍🏽, Ελληνικά, עברית\n";

  /** Splits the text's bytes into "tokens" of 1..4 bytes at random, ignoring char boundaries. */
  private static List<byte[]> randomByteTokens(byte[] bytes, long seed) {
    Random random = new Random(seed);
    List<byte[]> tokens = new ArrayList<>();
    for (int i = 0; i < bytes.length; ) {
      int len = Math.min(bytes.length - i, 1 + random.nextInt(4));
      byte[] token = new byte[len];
      System.arraycopy(bytes, i, token, 0, len);
      tokens.add(token);
      i += len;
    }
    return tokens;
  }

  @Test
  void validTextSplitAnywhereStreamsWithoutReplacementCharactersAndEqualsFullDecode() {
    byte[] bytes = TEXT.getBytes(StandardCharsets.UTF_8);
    for (long seed = 0; seed < 200; seed++) {
      List<byte[]> table = randomByteTokens(bytes, seed);
      IncrementalDetokenizer detokenizer = new IncrementalDetokenizer(table::get);
      StringBuilder out = new StringBuilder();
      for (int id = 0; id < table.size(); id++) {
        String delta = detokenizer.push(new int[] {id});
        assertFalse(delta.contains("\uFFFD"), "broken character emitted at token " + id);
        out.append(delta);
      }
      out.append(detokenizer.finish());
      assertEquals(TEXT, out.toString(), "seed " + seed);
    }
  }

  @Test
  void malformedBytesBecomeReplacementCharactersLikeAFullLossyDecode() {
    Random random = new Random(7);
    for (int trial = 0; trial < 500; trial++) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      List<byte[]> table = new ArrayList<>();
      for (int t = 0; t < 12; t++) {
        byte[] token = new byte[1 + random.nextInt(3)];
        random.nextBytes(token);
        table.add(token);
        all.writeBytes(token);
      }
      IncrementalDetokenizer detokenizer = new IncrementalDetokenizer(table::get);
      StringBuilder out = new StringBuilder();
      for (int id = 0; id < table.size(); id += 3) {
        out.append(detokenizer.push(new int[] {id, id + 1, id + 2}));
      }
      out.append(detokenizer.finish());
      assertEquals(new String(all.toByteArray(), StandardCharsets.UTF_8), out.toString());
    }
  }

  @Test
  void incompleteCharacterAtTheEndIsFlushedAsReplacement() {
    byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
    List<byte[]> table = List.of(new byte[] {'a', euro[0]}, new byte[] {euro[1]});
    IncrementalDetokenizer detokenizer = new IncrementalDetokenizer(table::get);
    assertEquals("a", detokenizer.push(new int[] {0}));
    assertEquals("", detokenizer.push(new int[] {1}));
    assertEquals("\uFFFD", detokenizer.finish());
  }
}
