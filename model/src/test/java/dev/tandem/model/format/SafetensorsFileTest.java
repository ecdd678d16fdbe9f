package dev.tandem.model.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.model.kernel.DType;
import dev.tandem.model.kernel.TensorData;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
  @TempDir Path tmp;

  /** Writes a safetensors header, then {@code data} at {@code dataOffset} past it (sparse). */
  private static Path write(Path file, String header, long dataOffset, byte[] data)
      throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
      f.write(h);
      f.seek(8 + h.length + dataOffset);
      f.write(data);
    }
    return file;
  }

  @Test
  void tensorsBeyondTwoGigabytesAreReadFromTheMapping() throws IOException {
    long far = (1L << 31) + 100; // past what a ByteBuffer mapping can address
    long padFloats = far / 4;
    String header =
        "{\"__metadata__\":{\"format\":\"pt\"},"
            + "\"pad\":{\"dtype\":\"F32\",\"shape\":["
            + padFloats
            + "],\"data_offsets\":[0,"
            + far
            + "]},"
            + "\"far\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":["
            + far
            + ","
            + (far + 8)
            + "]}}";
    // bf16 of 1, -2, 0.5, 3: the top halves of their float32 bits
    ByteBuffer data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : new float[] {1f, -2f, 0.5f, 3f}) {
      data.putShort((short) (Float.floatToIntBits(v) >>> 16));
    }
    Path file = write(tmp.resolve("big.safetensors"), header, far, data.array());
    try (Arena arena = Arena.ofShared()) {
      Map<String, TensorData> t = SafetensorsFile.map(file, arena);
      TensorData tensor = t.get("far");
      assertEquals(DType.BF16, tensor.dtype());
      assertEquals(2, tensor.rows());
      assertEquals(-2f, tensor.get(1));
      assertEquals(3f, tensor.get(3));
      assertEquals(padFloats, t.get("pad").numel());
    }
  }

  @Test
  void dataOffsetsOutsideTheFileAreRejectedWithTheTensorName() throws IOException {
    String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,1600]}}";
    Path file = write(tmp.resolve("short.safetensors"), header, 0, new byte[16]);
    try (Arena arena = Arena.ofShared()) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> SafetensorsFile.map(file, arena));
      assertTrue(e.getMessage().contains("tensor w"), e.getMessage());
      assertTrue(e.getMessage().contains("outside"), e.getMessage());
    }
  }

  @Test
  void shapeAndByteCountMustAgree() throws IOException {
    String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}";
    Path file = write(tmp.resolve("odd.safetensors"), header, 0, new byte[16]);
    try (Arena arena = Arena.ofShared()) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> SafetensorsFile.map(file, arena));
      assertTrue(e.getMessage().contains("tensor w: 16 bytes"), e.getMessage());
      assertTrue(e.getMessage().contains("expected 12"), e.getMessage());
    }
  }
}
