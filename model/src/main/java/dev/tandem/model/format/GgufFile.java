package dev.tandem.model.format;

import dev.tandem.model.kernel.DType;
import dev.tandem.model.kernel.TensorData;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One GGUF (version 2 or 3) file, memory-mapped read-only into an {@link Arena}; tensors are slices
 * of the mapping, nothing is copied. Layout (little-endian): magic {@code GGUF}, version u32,
 * tensor count u64, metadata count u64, metadata key/value pairs, tensor infos (name, dimension
 * count u32, dimensions u64 innermost first, ggml type u32, data offset u64), padding to {@code
 * general.alignment} (default 32), data. Reads the tensor types Tandem computes on: F32, F16, BF16,
 * Q8_0, Q4_0; metadata is skipped except the alignment (the architecture comes from {@code
 * config.json} beside the file). See {@link GgufWriter} for what Tandem writes.
 */
public final class GgufFile {
  static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
  static final int DEFAULT_ALIGNMENT = 32;

  private static final ValueLayout.OfInt U32 =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong U64 =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private GgufFile() {}

  /** ggml's type id of {@code t}. */
  static int ggmlType(DType t) {
    return switch (t) {
      case F32 -> 0;
      case F16 -> 1;
      case Q4_0 -> 2;
      case Q8_0 -> 8;
      case BF16 -> 30;
    };
  }

  private static DType dtype(int ggmlType, String where) {
    for (DType t : DType.values()) {
      if (ggmlType(t) == ggmlType) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        where
            + ": unsupported ggml type "
            + ggmlType
            + ", allowed: F32 (0), F16 (1), Q4_0 (2), Q8_0 (8), BF16 (30)");
  }

  /**
   * Maps {@code file} and returns its tensors by name, in file order, with PyTorch-order shapes
   * (outermost first).
   *
   * @throws IOException when the file cannot be read (the message names it)
   * @throws IllegalArgumentException when the file is not GGUF 2/3, is truncated, or holds a type
   *     other than F32, F16, BF16, Q8_0, Q4_0
   */
  public static Map<String, TensorData> map(Path file, Arena arena) throws IOException {
    MemorySegment all;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      all = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "weights file not found");
    }
    try {
      return read(file, all);
    } catch (IndexOutOfBoundsException e) {
      throw new IllegalArgumentException(file + ": truncated GGUF header", e);
    }
  }

  private static Map<String, TensorData> read(Path file, MemorySegment all) {
    if (all.byteSize() < 24 || all.get(U32, 0) != MAGIC) {
      throw new IllegalArgumentException(file + ": not a GGUF file (no GGUF magic)");
    }
    int version = all.get(U32, 4);
    if (version != 2 && version != 3) {
      throw new IllegalArgumentException(
          file + ": GGUF version " + version + " is not supported, allowed: 2, 3");
    }
    long tensorCount = all.get(U64, 8);
    long kvCount = all.get(U64, 16);
    Cursor c = new Cursor(all, 24);
    long alignment = DEFAULT_ALIGNMENT;
    for (long i = 0; i < kvCount; i++) {
      String key = c.string();
      int type = c.u32();
      if (key.equals("general.alignment") && type == 4) {
        alignment = Integer.toUnsignedLong(c.u32());
      } else {
        c.skipValue(type);
      }
    }
    record Info(String name, long[] shape, DType dtype, long offset) {}
    Info[] infos = new Info[Math.toIntExact(tensorCount)];
    for (int i = 0; i < infos.length; i++) {
      String name = c.string();
      int dims = c.u32();
      if (dims < 1 || dims > 4) {
        throw new IllegalArgumentException(file + " tensor " + name + ": " + dims + " dimensions");
      }
      long[] shape = new long[dims];
      for (int d = 0; d < dims; d++) {
        shape[dims - 1 - d] = c.u64(); // GGUF lists ne0 (innermost) first
      }
      DType dtype = dtype(c.u32(), file.getFileName() + " tensor " + name);
      infos[i] = new Info(name, shape, dtype, c.u64());
    }
    long dataStart = (c.at + alignment - 1) / alignment * alignment;
    Map<String, TensorData> out = new LinkedHashMap<>();
    for (Info info : infos) {
      long numel = 1;
      for (long d : info.shape) {
        numel *= d;
      }
      long bytes = info.dtype.byteSize(numel, info.shape[info.shape.length - 1]);
      long begin = dataStart + info.offset;
      if (info.offset < 0 || begin + bytes > all.byteSize()) {
        throw new IllegalArgumentException(
            file + " tensor " + info.name + ": data past the end of the file");
      }
      out.put(
          info.name, new TensorData(info.name, info.dtype, info.shape, all.asSlice(begin, bytes)));
    }
    return out;
  }

  /** Reads GGUF header values from {@code at} on. */
  private static final class Cursor {
    private final MemorySegment s;
    long at;

    Cursor(MemorySegment s, long at) {
      this.s = s;
      this.at = at;
    }

    int u32() {
      int v = s.get(U32, at);
      at += 4;
      return v;
    }

    long u64() {
      long v = s.get(U64, at);
      at += 8;
      return v;
    }

    String string() {
      long len = u64();
      if (len < 0 || len > Integer.MAX_VALUE || at + len > s.byteSize()) {
        throw new IndexOutOfBoundsException("string of " + len + " bytes");
      }
      byte[] bytes = s.asSlice(at, len).toArray(ValueLayout.JAVA_BYTE);
      at += len;
      return new String(bytes, StandardCharsets.UTF_8);
    }

    void skipValue(int type) {
      switch (type) {
        case 0, 1, 7 -> at += 1; // u8, i8, bool
        case 2, 3 -> at += 2;
        case 4, 5, 6 -> at += 4;
        case 10, 11, 12 -> at += 8;
        case 8 -> string();
        case 9 -> {
          int elementType = u32();
          long n = u64();
          for (long i = 0; i < n; i++) {
            skipValue(elementType);
          }
        }
        default -> throw new IllegalArgumentException("unknown GGUF metadata type " + type);
      }
    }
  }
}
