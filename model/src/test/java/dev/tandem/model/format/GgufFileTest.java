package dev.tandem.model.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.model.kernel.DType;
import dev.tandem.model.kernel.TensorData;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GGUF files written by {@link GgufWriter} read back by {@link GgufFile}, and bad files refused.
 */
class GgufFileTest {
  @TempDir Path tmp;

  @Test
  void tensorsOfEveryTypeComeBackWithTheirNamesShapesAndBytes() throws IOException {
    Random random = new Random(3);
    try (Arena arena = Arena.ofConfined()) {
      List<TensorData> tensors =
          List.of(
              tensor(arena, random, "a.q8", DType.Q8_0, 3, 64),
              tensor(arena, random, "norm", DType.F32, 5),
              tensor(arena, random, "b.q4", DType.Q4_0, 2, 96),
              tensor(arena, random, "embed", DType.BF16, 7, 3),
              tensor(arena, random, "half", DType.F16, 1, 1));
      Path file = tmp.resolve("m.gguf");
      new GgufWriter().put("general.architecture", "llama").put("x.count", 7).write(file, tensors);
      Map<String, TensorData> read = GgufFile.map(file, arena);
      assertEquals(List.of("a.q8", "norm", "b.q4", "embed", "half"), List.copyOf(read.keySet()));
      for (TensorData t : tensors) {
        TensorData r = read.get(t.name());
        assertEquals(t.dtype(), r.dtype(), t.name());
        assertArrayEquals(t.shape(), r.shape(), t.name());
        assertArrayEquals(
            t.data().toArray(ValueLayout.JAVA_BYTE), r.data().toArray(ValueLayout.JAVA_BYTE));
        long offset = r.data().address() - read.get("a.q8").data().address();
        assertEquals(0, offset % 32, t.name() + " is not 32-byte aligned in the data section");
      }
    }
  }

  @Test
  void aFileWithoutTheMagicIsRefused() throws IOException {
    Path file = Files.write(tmp.resolve("x.gguf"), new byte[64]);
    try (Arena arena = Arena.ofConfined()) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> GgufFile.map(file, arena));
      assertTrue(e.getMessage().contains("not a GGUF file"), e.getMessage());
    }
  }

  @Test
  void anUnsupportedTensorTypeIsNamedWithTheAllowedOnes() throws IOException {
    ByteBuffer b = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0x46554747).putInt(3).putLong(1).putLong(0);
    b.putLong(1).put((byte) 'w').putInt(1).putLong(32).putInt(12).putLong(0); // 12 = Q4_K
    Path file = Files.write(tmp.resolve("k.gguf"), b.array());
    try (Arena arena = Arena.ofConfined()) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> GgufFile.map(file, arena));
      assertTrue(e.getMessage().contains("tensor w: unsupported ggml type 12"), e.getMessage());
      assertTrue(e.getMessage().contains("Q8_0 (8)"), e.getMessage());
    }
  }

  @Test
  void aTruncatedFileIsRefused() throws IOException {
    Path full = tmp.resolve("full.gguf");
    try (Arena arena = Arena.ofConfined()) {
      new GgufWriter().write(full, List.of(tensor(arena, new Random(1), "w", DType.Q8_0, 4, 32)));
    }
    byte[] bytes = Files.readAllBytes(full);
    Path cut =
        Files.write(tmp.resolve("cut.gguf"), java.util.Arrays.copyOf(bytes, bytes.length - 1));
    try (Arena arena = Arena.ofConfined()) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> GgufFile.map(cut, arena));
      assertTrue(e.getMessage().contains("past the end"), e.getMessage());
    }
  }

  private static TensorData tensor(
      Arena arena, Random random, String name, DType type, long... shape) {
    long numel = 1;
    for (long d : shape) {
      numel *= d;
    }
    long bytes = type.byteSize(numel, shape[shape.length - 1]);
    MemorySegment data = arena.allocate(bytes);
    for (long i = 0; i < bytes; i++) {
      data.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt());
    }
    return new TensorData(name, type, shape, data);
  }
}
