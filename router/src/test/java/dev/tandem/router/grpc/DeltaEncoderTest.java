package dev.tandem.router.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tandem.proto.v1.GenerateChunk;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hand-written delta encoding gives exactly the generated message's bytes. */
class DeltaEncoderTest {

  private static void assertSameBytes(String text, int[] tokens, boolean withIds) throws Exception {
    GenerateChunk reference = ProtoMapper.delta(text, tokens, withIds);
    byte[] encoded = DeltaEncoder.encode(text, tokens, withIds).getBytes();
    assertArrayEquals(reference.toByteArray(), encoded, "text=" + text);
    assertEquals(reference, GenerateChunk.parseFrom(encoded));
  }

  @Test
  void edgeCasesEncodeAsTheGeneratedMessage() throws Exception {
    assertSameBytes("", new int[0], true);
    assertSameBytes("", new int[] {0}, true);
    assertSameBytes("a", new int[] {1}, false);
    assertSameBytes("héllo wörld ✓ 𝄞", new int[] {0, 127, 128, 16_383, 16_384}, true);
    assertSameBytes("x".repeat(300), new int[] {2_097_151, 2_097_152, Integer.MAX_VALUE}, true);
  }

  @Test
  void randomDeltasEncodeAsTheGeneratedMessage() throws Exception {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 2_000; i++) {
      StringBuilder text = new StringBuilder();
      int chars = random.nextInt(0, 40);
      for (int c = 0; c < chars; c++) {
        int codePoint =
            switch (random.nextInt(4)) {
              case 0 -> random.nextInt(0x20, 0x7F); // ASCII
              case 1 -> random.nextInt(0xA0, 0x800); // two bytes
              case 2 -> random.nextInt(0x800, 0xD800); // three bytes
              default -> random.nextInt(0x10000, 0x10FFFF); // four bytes (a surrogate pair)
            };
        text.appendCodePoint(codePoint);
      }
      int[] tokens = new int[random.nextInt(0, 10)];
      for (int t = 0; t < tokens.length; t++) {
        tokens[t] = random.nextInt(0, 1 << random.nextInt(1, 31));
      }
      assertSameBytes(text.toString(), tokens, random.nextBoolean());
    }
  }

  @Test
  void deltasLargerThanTheScratchEncodeAsTheGeneratedMessage() throws Exception {
    assertSameBytes("y".repeat(2_000), new int[] {5, 300}, true); // grows the thread's scratch
    assertSameBytes("z".repeat(70_000), new int[] {7}, true); // beyond any scratch kept
    assertSameBytes("ab", new int[] {1, 2}, true); // a small one after: nothing left over
  }
}
