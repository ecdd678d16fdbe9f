package dev.tandem.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.model.format.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenizerTest {
  private static final Path TINY = TinyModels.root().resolve("tokenizer.json");
  private static final Path FIXTURES = Path.of("..", "fixtures", "models");

  private static String concatTokenBytes(Tokenizer t, int[] ids) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int id : ids) {
      out.writeBytes(t.tokenBytes(id));
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void tinyByteLevelBpeAppliesMergesAndRoundTrips() throws IOException {
    try (Tokenizer t = Tokenizer.load(TINY)) {
      // "Ġt he" merges to one token; bytes are ids 1 + byte value
      int the = t.encode(" the")[0];
      assertEquals(1, t.encode(" the").length);
      assertArrayEquals(" the".getBytes(StandardCharsets.UTF_8), t.tokenBytes(the));
      assertArrayEquals(new int[] {1 + 'x', 1 + 'y', 1 + 'z'}, t.encode("xyz"));
      String text = "Where is the weather? naïve café ✓ 😀\n\tdone";
      int[] ids = t.encode(text);
      assertEquals(text, t.decode(ids));
      assertEquals(text, concatTokenBytes(t, ids));
    }
  }

  @Test
  void tokenBytesGivesPartialUtf8ForSplitCharacters() throws IOException {
    try (Tokenizer t = Tokenizer.load(TINY)) {
      int[] ids = t.encode("é"); // two bytes, no merge: two tokens of one byte each
      assertEquals(2, ids.length);
      assertArrayEquals(new byte[] {(byte) 0xC3}, t.tokenBytes(ids[0]));
      assertArrayEquals(new byte[] {(byte) 0xA9}, t.tokenBytes(ids[1]));
    }
  }

  @Test
  void specialTokensAreNotAddedButAreKnown() throws IOException {
    try (Tokenizer t = Tokenizer.load(TINY)) {
      assertArrayEquals(new int[] {1 + 'a'}, t.encode("a"));
      assertTrue(t.isSpecial(0));
      assertFalse(t.isSpecial(1 + 'a'));
      assertArrayEquals("<|endoftext|>".getBytes(StandardCharsets.UTF_8), t.tokenBytes(0));
      assertArrayEquals(new int[] {0}, t.encode("<|endoftext|>"));
    }
  }

  @Test
  void bosAndEosComeFromTokenizerConfig() throws IOException {
    try (Tokenizer t = Tokenizer.load(TinyModels.dir("tiny-gqa-f32"))) {
      assertEquals(0, t.bosTokenId());
      assertEquals(0, t.eosTokenId());
    }
    try (Tokenizer t = Tokenizer.load(TINY)) { // no tokenizer_config.json beside it
      assertEquals(-1, t.bosTokenId());
      assertEquals(-1, t.eosTokenId());
    }
  }

  @Test
  void unknownIdsAndMissingFilesAreRejected() throws IOException {
    try (Tokenizer t = Tokenizer.load(TINY)) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> t.tokenBytes(271));
      assertTrue(e.getMessage().contains("0..270"), e.getMessage());
    }
    NoSuchFileException e =
        assertThrows(NoSuchFileException.class, () -> Tokenizer.load(Path.of("no/such/dir")));
    assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
  }

  @Test
  void fixtureTokenizerMatchesGoldenIds() throws IOException {
    Map<?, ?> golden =
        (Map<?, ?>)
            Json.parse(
                Files.readString(FIXTURES.resolve("tokenizer-golden.json")),
                "tokenizer-golden.json");
    try (Tokenizer t = Tokenizer.load(FIXTURES.resolve("tokenizer.json"))) {
      List<?> cases = (List<?>) golden.get("cases");
      assertFalse(cases.isEmpty());
      for (Object o : cases) {
        Map<?, ?> c = (Map<?, ?>) o;
        String text = (String) c.get("text");
        int[] ids = t.encode(text);
        assertArrayEquals(TinyModels.ints(c.get("ids")), ids, text);
        assertEquals(text, concatTokenBytes(t, ids), text);
      }
    }
  }
}
