package dev.tandem.model.format;

import dev.tandem.model.kernel.TensorData;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes tensors to a GGUF version 3 file that {@link GgufFile} (and any GGUF reader, e.g. gguf-py)
 * reads back: string and u32 metadata, then the tensor infos, then each tensor's bytes as they are
 * (Q8_0 / Q4_0 blocks in ggml's layout, F32 / F16 / BF16 little-endian) at 32-byte aligned offsets.
 * Tensor names are kept as given (Tandem writes the Hugging Face names), so the file is a GGUF
 * container with llama.cpp's block layouts, not a model llama.cpp runs as is (that needs its own
 * names, metadata and Q/K row order).
 */
public final class GgufWriter {
  private static final int VERSION = 3;
  private static final int TYPE_U32 = 4;
  private static final int TYPE_STRING = 8;

  private final Map<String, Object> metadata = new LinkedHashMap<>();

  /** Adds a string metadata value. */
  public GgufWriter put(String key, String value) {
    metadata.put(key, value);
    return this;
  }

  /** Adds a u32 metadata value. */
  public GgufWriter put(String key, int value) {
    metadata.put(key, value);
    return this;
  }

  /** Writes {@code tensors} (in order) and the metadata to {@code file}, replacing it. */
  public void write(Path file, Collection<TensorData> tensors) throws IOException {
    ByteBuffer header = header(tensors);
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      writeFully(ch, header);
      long written = header.limit();
      for (TensorData t : tensors) {
        long pad = align(written) - written;
        writeFully(ch, ByteBuffer.allocate((int) pad));
        MemorySegment data = t.data();
        for (long at = 0; at < data.byteSize(); at += 1 << 24) {
          writeFully(ch, data.asSlice(at, Math.min(1 << 24, data.byteSize() - at)).asByteBuffer());
        }
        written += pad + data.byteSize();
      }
    }
  }

  private ByteBuffer header(Collection<TensorData> tensors) {
    ByteBuffer b = ByteBuffer.allocate(headerSize(tensors)).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(GgufFile.MAGIC).putInt(VERSION).putLong(tensors.size()).putLong(metadata.size() + 1);
    string(b, "general.alignment");
    b.putInt(TYPE_U32).putInt(GgufFile.DEFAULT_ALIGNMENT);
    for (Map.Entry<String, Object> e : metadata.entrySet()) {
      string(b, e.getKey());
      if (e.getValue() instanceof Integer i) {
        b.putInt(TYPE_U32).putInt(i);
      } else {
        b.putInt(TYPE_STRING);
        string(b, (String) e.getValue());
      }
    }
    long offset = 0;
    for (TensorData t : tensors) {
      string(b, t.name());
      long[] shape = t.shape();
      b.putInt(shape.length);
      for (int d = shape.length - 1; d >= 0; d--) {
        b.putLong(shape[d]);
      }
      b.putInt(GgufFile.ggmlType(t.dtype()));
      b.putLong(offset);
      offset = align(offset + t.data().byteSize());
    }
    return b.flip();
  }

  private int headerSize(Collection<TensorData> tensors) {
    long size = 24 + stringSize("general.alignment") + 8;
    for (Map.Entry<String, Object> e : metadata.entrySet()) {
      size += stringSize(e.getKey()) + 4;
      size += e.getValue() instanceof Integer ? 4 : stringSize((String) e.getValue());
    }
    for (TensorData t : tensors) {
      size += stringSize(t.name()) + 4 + 8L * t.shape().length + 4 + 8;
    }
    return Math.toIntExact(size);
  }

  private static long stringSize(String s) {
    return 8 + s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static void string(ByteBuffer b, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    b.putLong(bytes.length).put(bytes);
  }

  private static long align(long at) {
    int a = GgufFile.DEFAULT_ALIGNMENT;
    return (at + a - 1) / a * a;
  }

  private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }
}
