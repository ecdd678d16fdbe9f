package dev.tandem.model.kernel.vector;

import dev.tandem.model.kernel.ActivationBuffer;
import dev.tandem.model.kernel.BlockQuant;
import dev.tandem.model.kernel.DType;
import dev.tandem.model.kernel.Kernels;
import dev.tandem.model.kernel.KvStore;
import dev.tandem.model.kernel.Layouts;
import dev.tandem.model.kernel.RopeTable;
import dev.tandem.model.kernel.TensorData;
import dev.tandem.model.kernel.Weight;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The Java Vector API backend ({@code jdk.incubator.vector}, {@code FloatVector.SPECIES_PREFERRED}
 * lanes: 16 floats with AVX-512). Weights stay where the loader mapped them (F32, BF16) and are
 * read with vector loads; F16 is widened once at load into off-heap float32 (the Vector API has no
 * half-float lane conversion); BF16 may also be widened at load ({@code widenBf16AtLoad}), which
 * doubles the memory read per token and measured slower on every model (BENCHMARKS.md). Q8_0 and
 * Q4_0 weights are multiplied block by block where they lie ({@link QuantLinearKernels}); an
 * embedding table in those formats is de-quantized one looked-up row at a time. Activations and KV
 * caches are heap {@code float[]}, allocated once per workspace / sequence.
 *
 * <p>Threads: every call runs on the calling thread only; concurrent calls on distinct buffers and
 * stores are safe.
 */
public final class VectorKernels implements Kernels {
  private final boolean widenBf16AtLoad;
  private final Arena arena = Arena.ofShared();

  /**
   * @param widenBf16AtLoad convert BF16 weights to off-heap F32 at load instead of per tile
   */
  public VectorKernels(boolean widenBf16AtLoad) {
    this.widenBf16AtLoad = widenBf16AtLoad;
  }

  /** The default: BF16 read from the mapping and widened per tile. */
  public VectorKernels() {
    this(false);
  }

  @Override
  public String name() {
    return "vector";
  }

  @Override
  public Weight weight(TensorData t) {
    if (t.dtype().quantized()) {
      if (t.shape().length != 2) {
        throw new IllegalArgumentException("tensor " + t + ": quantized weights must be 2-D");
      }
      return new VectorWeight(t.name(), t.dtype(), t.rows(), t.cols(), t.data(), null);
    }
    boolean widen = t.dtype() == DType.F16 || (t.dtype() == DType.BF16 && widenBf16AtLoad);
    if (t.shape().length == 1) {
      float[] floats = new float[t.cols()];
      for (int i = 0; i < floats.length; i++) {
        floats[i] = t.get(i);
      }
      return new VectorWeight(t.name(), t.dtype(), 1, t.cols(), t.data(), floats);
    }
    if (!widen) {
      return new VectorWeight(t.name(), t.dtype(), t.rows(), t.cols(), t.data(), null);
    }
    long n = t.numel();
    MemorySegment f32 = arena.allocate(n * 4, 64);
    for (long i = 0; i < n; i++) {
      f32.set(Layouts.F32_LE, i * 4, t.get(i));
    }
    if (t.data().isMapped()) {
      t.data().unload(); // the widened copy is what stays resident
    }
    return new VectorWeight(t.name(), DType.F32, t.rows(), t.cols(), f32, null);
  }

  @Override
  public ActivationBuffer buffer(int rowCapacity, int cols) {
    return new VectorBuffer(rowCapacity, cols);
  }

  @Override
  public KvStore kvStore(int layers, int capacity, int kvDim) {
    return new VectorKvStore(layers, capacity, kvDim);
  }

  @Override
  public void write(float[] src, int srcOffset, int rows, ActivationBuffer dst) {
    VectorBuffer d = (VectorBuffer) dst;
    System.arraycopy(src, srcOffset, d.data, 0, rows * d.cols());
  }

  @Override
  public void read(ActivationBuffer src, int rows, float[] dst, int dstOffset) {
    VectorBuffer s = (VectorBuffer) src;
    System.arraycopy(s.data, 0, dst, dstOffset, rows * s.cols());
  }

  @Override
  public void embed(Weight table, int[] tokens, int n, ActivationBuffer out) {
    VectorWeight w = (VectorWeight) table;
    float[] o = ((VectorBuffer) out).data;
    int d = w.cols();
    for (int r = 0; r < n; r++) {
      long base = (long) tokens[r] * d;
      for (int i = 0; i < d; i++) {
        o[r * d + i] = element(w, base + i);
      }
    }
  }

  @Override
  public void rmsNorm(ActivationBuffer x, Weight gamma, float eps, int n, ActivationBuffer out) {
    float[] in = ((VectorBuffer) x).data;
    float[] o = ((VectorBuffer) out).data;
    float[] g = ((VectorWeight) gamma).floats();
    ElementwiseKernels.rmsNorm(in, g, eps, n, x.cols(), o);
  }

  @Override
  public void matmul(ActivationBuffer x, Weight w, int n, ActivationBuffer out) {
    VectorWeight vw = (VectorWeight) w;
    VectorBuffer in = (VectorBuffer) x;
    float[] o = ((VectorBuffer) out).data;
    switch (vw.dtype()) {
      case BF16 ->
          LinearKernels.matmulBf16(
              in.evenOdd(n), n, vw.cols(), vw.data(), 0, vw.rows(), o, out.cols());
      case Q8_0 ->
          QuantLinearKernels.matmulQ8(
              in.data, n, vw.cols(), vw.data(), 0, vw.rows(), o, out.cols());
      case Q4_0 ->
          QuantLinearKernels.matmulQ4(
              in.data, n, vw.cols(), vw.data(), 0, vw.rows(), o, out.cols());
      case F32, F16 ->
          LinearKernels.matmulF32(in.data, n, vw.cols(), vw.data(), 0, vw.rows(), o, out.cols());
    }
  }

  @Override
  public void rope(ActivationBuffer x, int n, int nHeads, int[] positions, RopeTable table) {
    ElementwiseKernels.rope(((VectorBuffer) x).data, x.cols(), n, nHeads, positions, table);
  }

  @Override
  public void siluMul(ActivationBuffer gate, ActivationBuffer up, int n) {
    ElementwiseKernels.siluMul(
        ((VectorBuffer) gate).data, ((VectorBuffer) up).data, n * gate.cols());
  }

  @Override
  public void add(ActivationBuffer acc, ActivationBuffer x, int n) {
    ElementwiseKernels.add(((VectorBuffer) acc).data, ((VectorBuffer) x).data, n * acc.cols());
  }

  @Override
  public void attention(
      int layer,
      KvStore kv,
      int startPos,
      ActivationBuffer q,
      ActivationBuffer k,
      ActivationBuffer v,
      int rowStart,
      int count,
      int nHeads,
      int nKvHeads,
      ActivationBuffer out) {
    AttentionKernel.attend(
        layer,
        (VectorKvStore) kv,
        startPos,
        ((VectorBuffer) q).data,
        ((VectorBuffer) k).data,
        ((VectorBuffer) v).data,
        rowStart,
        count,
        nHeads,
        nKvHeads,
        q.cols() / nHeads,
        ((VectorBuffer) out).data);
  }

  @Override
  public void gatherRows(ActivationBuffer src, int[] rows, int count, ActivationBuffer dst) {
    float[] s = ((VectorBuffer) src).data;
    float[] d = ((VectorBuffer) dst).data;
    int cols = src.cols();
    for (int j = 0; j < count; j++) {
      System.arraycopy(s, rows[j] * cols, d, j * cols, cols);
    }
  }

  @Override
  public void close() {
    arena.close();
  }

  private static float element(VectorWeight w, long i) {
    return switch (w.dtype()) {
      case BF16 -> Float.intBitsToFloat(w.data().get(Layouts.I16_LE, i * 2) << 16);
      case Q8_0, Q4_0 -> BlockQuant.dequantize(w.dtype(), w.data(), i);
      case F32, F16 -> w.data().get(Layouts.F32_LE, i * 4); // F16 was widened at load
    };
  }
}
