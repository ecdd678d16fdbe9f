package dev.tandem.model.kernel.nd4j;

import dev.tandem.model.kernel.ActivationBuffer;
import java.lang.foreign.MemorySegment;
import java.util.IdentityHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
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
  private final Map<Nd4jWeight, Matmul[]> matmuls = new IdentityHashMap<>();

  private INDArray rowScalars; // [rowCapacity, 1] scratch (RMSNorm), ND4J-op path only
  private INDArray twin; // [rowCapacity, cols] scratch (RoPE), ND4J-op path only
  private INDArray padScratch; // [>= padded rows, cols], padded sgemm (CPU)
  private final INDArray[] ropeScratch = new INDArray[2]; // [rowCapacity, headDim]: cos, sin rows

  /**
   * Prepared ops of one matmul, each with its own op context where {@code contexts} is not null:
   * executing an op with a context built once costs ND4J ~2–9 µs and ~0.5 KB of garbage per call,
   * against ~15–19 µs and ~2.6 KB for {@code Nd4j.exec(op)}, which builds a fresh context per call
   * (measured on this CPU). Contexts are reused on the CPU only: a CUDA context may be bound to the
   * thread that built it, and a sequence's forward passes may run on different model threads.
   */
  record Matmul(Nd4jBuffer x, DynamicCustomOp[] ops, OpContext[] contexts, Runnable afterwards) {
    void run() {
      for (int i = 0; i < ops.length; i++) {
        if (contexts != null) {
          Nd4j.getExecutioner().exec(ops[i], contexts[i]);
        } else {
          Nd4j.exec(ops[i]);
        }
      }
      if (afterwards != null) {
        afterwards.run();
      }
    }
  }

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
   * The ops computing {@code this[0..n) = x[0..n) · wᵀ}: built on the first call for this (x, w, n)
   * and re-executed afterwards, so the decode path creates no ND4J objects for matmuls.
   *
   * <p>On the CPU, a few rows run as one matrix-vector product per row ({@code w · x[r]} with
   * rank-1 x and out; reads w once per row), more rows as one sgemm: OpenBLAS 0.3.19's sgemm packs
   * (copies) w on every call, which costs more than re-reading w row by row until the rows are many
   * or w is too large to stay in cache (see {@link #gemvRows}). On a GPU: always one gemm.
   */
  Matmul matmul(Nd4jBuffer x, Nd4jWeight w, int n) {
    Matmul[] byRows = matmuls.computeIfAbsent(w, key -> new Matmul[rowCapacity + 1]);
    Matmul cached = byRows[n];
    if (cached == null || cached.x() != x) {
      int padded = (n + 3) & ~3;
      if (host != null && n <= gemvRows(w)) {
        DynamicCustomOp[] ops = new DynamicCustomOp[n];
        for (int r = 0; r < n; r++) {
          ops[r] = matrixVector(x, w, r);
        }
        cached = new Matmul(x, ops, contexts(ops), null);
      } else if (host != null && padded != n && x.rowCapacity() >= padded) {
        cached = paddedMatrixMatrix(x, w, n, padded);
      } else {
        DynamicCustomOp[] ops = {matrixMatrix(x, w, n, rows(n))};
        cached = new Matmul(x, ops, host != null ? contexts(ops) : null, null);
      }
      byRows[n] = cached;
    }
    return cached;
  }

  /**
   * sgemm over {@code padded} rows (a multiple of 4) into scratch, then rows [0, n) copied out:
   * OpenBLAS is 10–30 % faster at 8 rows than at 5–7 (e.g. [4096, 1024] weight: 2.6 ms at 8 rows,
   * 3.7 ms at 7). x's rows [n, padded) are stale; their results are dropped.
   */
  private Matmul paddedMatrixMatrix(Nd4jBuffer x, Nd4jWeight w, int n, int padded) {
    if (padScratch == null || padScratch.rows() < padded) {
      // grown on demand: blocks are usually a few rows, and cols may be a vocabulary
      // (Matmuls prepared earlier keep the smaller scratch they were built on)
      padScratch = Nd4j.zeros(DataType.FLOAT, padded, cols);
    }
    INDArray scratch = padScratch.get(NDArrayIndex.interval(0, padded), NDArrayIndex.all());
    DynamicCustomOp[] ops = {matrixMatrix(x, w, padded, scratch)};
    MemorySegment from = Nd4jMemory.hostSegment(padScratch);
    Runnable copyOut;
    if (w.rows() == cols) {
      long bytes = 4L * n * cols;
      copyOut = () -> MemorySegment.copy(from, 0, host, 0, bytes);
    } else { // only the w.rows() columns the matmul writes
      long rowBytes = 4L * cols;
      long bytes = 4L * w.rows();
      copyOut =
          () -> {
            for (int r = 0; r < n; r++) {
              MemorySegment.copy(from, r * rowBytes, host, r * rowBytes, bytes);
            }
          };
    }
    return new Matmul(x, ops, contexts(ops), copyOut);
  }

  private static OpContext[] contexts(DynamicCustomOp[] ops) {
    OpContext[] contexts = new OpContext[ops.length];
    for (int i = 0; i < ops.length; i++) {
      OpContext c = Nd4j.getExecutioner().buildContext();
      c.setInputArrays(ops[i].inputArguments());
      c.setOutputArrays(ops[i].outputArguments());
      c.setIArguments(ops[i].iArgs());
      contexts[i] = c;
    }
    return contexts;
  }

  /**
   * Up to how many rows per-row gemv beats one sgemm on the CPU. Measured here (2 EPYC cores, one
   * thread, µs for gemv×n vs. sgemm, best of 25): [2048, 512] weight, 4 rows 319 vs. 405, 6 rows
   * 384 vs. 530; [4096, 1024], 4 rows 2068 vs. 2725, 6 rows 2294 vs. 2289, 8 rows 4558 vs. 3437;
   * [8192, 2048], 4 rows 9657 vs. 7735.
   */
  static int gemvRows(Nd4jWeight w) {
    long bytes = 4L * w.rows() * w.cols();
    return bytes <= (16L << 20) ? 6 : 3;
  }

  /** Row r: {@code out[r] = w · x[r]}, x[r] and out[r] as rank-1 views. */
  private DynamicCustomOp matrixVector(Nd4jBuffer x, Nd4jWeight w, int r) {
    INDArray out = data.getRow(r); // [cols]
    if (w.rows() != cols) {
      out = out.get(NDArrayIndex.interval(0, w.rows()));
    }
    return DynamicCustomOp.builder("matmul")
        .addInputs(w.matrix(), x.data.getRow(r))
        .addOutputs(out)
        .addIntegerArguments(0, 0, 0)
        .build();
  }

  /** Rows [0, n): {@code target = x · wᵀ} (sgemm with w transposed; no copy of w made by us). */
  private DynamicCustomOp matrixMatrix(Nd4jBuffer x, Nd4jWeight w, int n, INDArray target) {
    INDArray out =
        w.rows() == cols
            ? target
            : target.get(NDArrayIndex.all(), NDArrayIndex.interval(0, w.rows()));
    return DynamicCustomOp.builder("matmul")
        .addInputs(x.rows(n), w.matrix())
        .addOutputs(out)
        .addIntegerArguments(0, 1, 0) // transpose x: no, w: yes, result: no
        .build();
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
