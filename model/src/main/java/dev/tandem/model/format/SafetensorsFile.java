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
import java.util.List;
import java.util.Map;

/**
 * One {@code .safetensors} file, memory-mapped read-only into an {@link Arena} (any size: a
 * MemorySegment mapping has no 2 GB limit). Layout: 8-byte little-endian header length N, N bytes
 * of JSON {@code {name: {dtype, shape, data_offsets: [begin, end]}}}, then the data; offsets are
 * relative to the end of the header. Tensors are slices of the mapping: nothing is copied.
 */
public final class SafetensorsFile {
  private SafetensorsFile() {}

  /**
   * Maps {@code file} and returns its tensors by name, in header order.
   *
   * @throws IOException when the file cannot be read (the message names it)
   * @throws IllegalArgumentException when the header is malformed or a dtype is unsupported
   */
  public static Map<String, TensorData> map(Path file, Arena arena) throws IOException {
    MemorySegment all;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      all = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "weights file not found");
    }
    if (all.byteSize() < 8) {
      throw new IllegalArgumentException(file + ": too short for a safetensors file");
    }
    long headerLen = all.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
    if (headerLen <= 0 || headerLen > all.byteSize() - 8 || headerLen > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          file + ": header length " + headerLen + " does not fit in " + all.byteSize() + " bytes");
    }
    byte[] header = all.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
    MemorySegment data = all.asSlice(8 + headerLen);
    Object parsed = Json.parse(new String(header, StandardCharsets.UTF_8), file.toString());
    if (!(parsed instanceof Map<?, ?> entries)) {
      throw new IllegalArgumentException(file + ": header is not a JSON object");
    }
    Map<String, TensorData> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : entries.entrySet()) {
      String name = (String) e.getKey();
      if (name.equals("__metadata__")) {
        continue;
      }
      out.put(name, tensor(file, name, (Map<?, ?>) e.getValue(), data));
    }
    return out;
  }

  private static TensorData tensor(Path file, String name, Map<?, ?> meta, MemorySegment data) {
    String where = file.getFileName() + " tensor " + name;
    DType dtype = DType.fromSafetensors(String.valueOf(meta.get("dtype")), where);
    List<?> shapeList = (List<?>) meta.get("shape");
    List<?> offsets = (List<?>) meta.get("data_offsets");
    if (shapeList == null || offsets == null || offsets.size() != 2) {
      throw new IllegalArgumentException(where + ": header entry needs shape and data_offsets");
    }
    long[] shape = new long[shapeList.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = ((Number) shapeList.get(i)).longValue();
    }
    long begin = ((Number) offsets.get(0)).longValue();
    long end = ((Number) offsets.get(1)).longValue();
    if (begin < 0 || end < begin || end > data.byteSize()) {
      throw new IllegalArgumentException(
          where + ": data_offsets [" + begin + ", " + end + "] outside the file's data");
    }
    return new TensorData(name, dtype, shape, data.asSlice(begin, end - begin));
  }
}
