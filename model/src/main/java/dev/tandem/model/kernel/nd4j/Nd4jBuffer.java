package dev.tandem.model.kernel.nd4j;

import dev.tandem.model.kernel.ActivationBuffer;
import java.lang.foreign.MemorySegment;
import java.util.IdentityHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Activations as one ND4J array {@code [rowCapacity, cols]}, plus what the kernels need per call
 * made once and kept here: row views {@code [0, n)}, the matmul ops that write into this buffer,
 * and scratch arrays for the ND4J-op path. A forward pass uses a buffer from one thread at a time
 * (see {@link ActivationBuffer}), so none of this needs locking.
 */
final class Nd4jBuffer implements ActivationBuffer {
  /** {@code [rowCapacity, cols]} c-order float32. */
  final INDArray data;

  /** The same memory on the host (CPU only), null on CUDA. */
  final MemorySegment host;

  private final int rowCapacity;
  private final int cols;
  private final INDArray[] rowViews; // rowViews[n] = data[0..n), made on first use

  /** For {@code this = x · wᵀ}: the op per weight and row count, re-executed on every call. */
  private final Map<Nd4jWeight, MatmulOp[]> matmulOps = new IdentityHashMap<>();

  private INDArray rowScalars; // [rowCapacity, 1] scratch (RMSNorm), ND4J-op path only
  private INDArray twin; // [rowCapacity, cols] scratch (RoPE), ND4J-op path only
  private final INDArray[] ropeScratch = new INDArray[2]; // [rowCapacity, headDim]: cos, sin rows

  private record MatmulOp(Nd4jBuffer x, DynamicCustomOp op) {}

  Nd4jBuffer(int rowCapacity, int cols, boolean hostAccess) {
    if (rowCapacity <= 0 || cols <= 0) {
      throw new IllegalArgumentException(
          "buffer shape must be positive, got [" + rowCapacity + ", " + cols + "]");
    }
    this.rowCapacity = rowCapacity;
    this.cols = cols;
    this.data = Nd4j.zeros(DataType.FLOAT, rowCapacity, cols);
    this.host = hostAccess ? Nd4jMemory.hostSegment(data) : null;
    this.rowViews = new INDArray[rowCapacity + 1];
  }

  @Override
  public int rowCapacity() {
    return rowCapacity;
  }

  @Override
  public int cols() {
    return cols;
  }

  /** Rows {@code [0, n)} as a {@code [n, cols]} view (cached). */
  INDArray rows(int n) {
    INDArray view = rowViews[n];
    if (view == null) {
      view = data.get(NDArrayIndex.interval(0, n), NDArrayIndex.all());
      rowViews[n] = view;
    }
    return view;
  }

  /** Rows {@code [from, to)} as a view (not cached: the attention path's row ranges vary). */
  INDArray rows(int from, int to) {
    return from == 0 ? rows(to) : data.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
  }

  /**
   * The op computing {@code this[0..n) = x[0..n) · wᵀ}: built on the first call for this (x, w, n)
   * and re-executed afterwards, so the decode path creates no ND4J objects for matmuls.
   */
  DynamicCustomOp matmulOp(Nd4jBuffer x, Nd4jWeight w, int n) {
    MatmulOp[] byRows = matmulOps.computeIfAbsent(w, key -> new MatmulOp[rowCapacity + 1]);
    MatmulOp cached = byRows[n];
    if (cached == null || cached.x() != x) {
      INDArray out =
          w.rows() == cols
              ? rows(n)
              : rows(n).get(NDArrayIndex.all(), NDArrayIndex.interval(0, w.rows()));
      DynamicCustomOp op =
          DynamicCustomOp.builder("matmul")
              .addInputs(x.rows(n), w.matrix())
              .addOutputs(out)
              .addIntegerArguments(0, 1, 0) // transpose x: no, w: yes, result: no
              .build();
      cached = new MatmulOp(x, op);
      byRows[n] = cached;
    }
    return cached.op();
  }

  /** {@code [n, 1]} scratch, one float per row. */
  INDArray rowScalars(int n) {
    if (rowScalars == null) {
      rowScalars = Nd4j.zeros(DataType.FLOAT, rowCapacity, 1);
    }
    return rowScalars.get(NDArrayIndex.interval(0, n), NDArrayIndex.all());
  }

  /** {@code [n, cols]} scratch of this buffer's shape. */
  INDArray twin(int n) {
    if (twin == null) {
      twin = Nd4j.zeros(DataType.FLOAT, rowCapacity, cols);
    }
    return twin.get(NDArrayIndex.interval(0, n), NDArrayIndex.all());
  }

  /** {@code [n, width]} scratch number {@code which} (0 or 1) for RoPE's per-row tables. */
  INDArray ropeScratch(int which, int n, int width) {
    INDArray s = ropeScratch[which];
    if (s == null || s.columns() != width) {
      s = Nd4j.zeros(DataType.FLOAT, rowCapacity, width);
      ropeScratch[which] = s;
    }
    return s.get(NDArrayIndex.interval(0, n), NDArrayIndex.all());
  }
}
