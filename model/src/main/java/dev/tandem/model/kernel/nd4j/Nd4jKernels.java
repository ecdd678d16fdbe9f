package dev.tandem.model.kernel.nd4j;

import dev.tandem.model.kernel.ActivationBuffer;
import dev.tandem.model.kernel.DType;
import dev.tandem.model.kernel.Kernels;
import dev.tandem.model.kernel.KvStore;
import dev.tandem.model.kernel.RopeTable;
import dev.tandem.model.kernel.TensorData;
import dev.tandem.model.kernel.Weight;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The ND4J backend ({@code nd4j}): ND4J 1.0.0-M2.1 on the CPU ({@code nd4j-native}, OpenBLAS) or,
 * with the Maven profile {@code cuda}, on CUDA 11.6 ({@code nd4j-cuda-11.6}; unverified so far: no
 * GPU was available where it was written).
 *
 * <p><b>Weights.</b> On the fused-host CPU path F32 tensors are wrapped zero-copy from the
 * memory-mapped file (a JavaCPP pointer at the mapping; see {@link Nd4jMemory}); on the ND4J-op
 * path (CUDA) they are copied into ND4J's own aligned memory (to the device on CUDA). F16 and BF16
 * tensors are widened once at load into float32 arrays, so they take twice their file size in
 * memory: ND4J's half-precision matmul on the CPU is 15–300× slower than float32 and accumulates in
 * low precision (0.6–11 % relative error measured), and mixed-type matmul is rejected.
 *
 * <p><b>Matmul</b> always goes through ND4J (OpenBLAS on the CPU, cuBLAS on CUDA) as {@code matmul}
 * ops built once per (output buffer, weight, input buffer, rows) into the preallocated output and
 * re-executed, on the CPU with an op context also built once: ~2 µs of fixed ND4J cost per call
 * instead of ~15–20 µs for {@code Nd4j.exec(op)} and 120–145 µs for an allocating {@code mmul}. On
 * the CPU a few rows run as one matrix-vector product per row, more as one sgemm (see {@link
 * Nd4jBuffer#matmul}). With that, decoding (1 row) is about as fast as the {@code vector} backend;
 * blocks of 4–8 rows are slower, because OpenBLAS 0.3.19's sgemm is slow at so few rows
 * (BENCHMARKS.md, "ND4J backend"). The point of this backend is large matrices and the GPU.
 *
 * <p><b>Everything else</b> runs on one of two {@link Path}s: on the CPU as fused Java loops over
 * the ND4J arrays' host memory ({@link HostKernels}: one pass per RMSNorm instead of five ND4J ops
 * of 5–45 µs each), on CUDA as short fixed sequences of ND4J ops ({@link OpKernels}). Both paths
 * are tested on the CPU. The CPU path still runs attention as ND4J ops (batched matmuls over KV
 * heads) when rows × positions is large, where they beat the loop; see {@link
 * #ATTENTION_OPS_MIN_WORK}.
 *
 * <p><b>Threads.</b> One instance serves all model threads at once (distinct buffers and stores per
 * thread, weights read-only; ND4J's executioner is used concurrently, with no wrong results
 * observed). A call runs on the calling thread; inside ND4J, BLAS and OpenMP may use more threads
 * as {@code OMP_NUM_THREADS} says: set it to 1 on small machines (multi-millisecond stalls were
 * measured with ND4J's default threading on 2 cores).
 *
 * <p><b>Logging.</b> Creating the first instance turns the JUL loggers {@code org.nd4j} and {@code
 * org.bytedeco} to WARNING, which hides ND4J's start-up banner when SLF4J is bound to JUL (as in
 * the router); with another SLF4J binding, configure those loggers there.
 */
public final class Nd4jKernels implements Kernels {

  /** Where the non-matmul work of this backend runs. */
  public enum Path {
    /** Fused Java (Vector API) loops on the host memory of ND4J arrays: CPU only. */
    FUSED_HOST,
    /** ND4J ops only, never touching host memory: what CUDA needs; works on the CPU too. */
    ND4J_OPS
  }

  // JUL keeps loggers weakly: hold them, or the level is lost with the logger.
  private static final Logger[] QUIET = {
    Logger.getLogger("org.nd4j"), Logger.getLogger("org.bytedeco")
  };

  static {
    for (Logger logger : QUIET) {
      logger.setLevel(Level.WARNING);
    }
  }

  private static final Logger LOG = Logger.getLogger(Nd4jKernels.class.getName());

  /**
   * Attention work ({@code rows x positions x nHeads * headDim}) from which the batched ND4J ops
   * beat the fused Java loop on the CPU: the ops cost ~200–600 µs fixed, the loop grows with rows
   * times positions (measured crossover ≈ 1000 row-positions at 16 heads x 64; BENCHMARKS.md).
   */
  static final long ATTENTION_OPS_MIN_WORK = 1L << 20;

  private final long attentionOpsMinWork;
  private final Path path;
  private final boolean cpu;
  private final OpKernels ops = new OpKernels();

  /** System property that overrides the default {@link Path} (e.g. {@code nd4j_ops}). */
  public static final String PATH_PROPERTY = "tandem.nd4j.path";

  /**
   * The default path for the ND4J build on the class path (fused host loops on the CPU), unless the
   * system property {@value #PATH_PROPERTY} names one ({@code fused_host} or {@code nd4j_ops}).
   * This is the constructor {@code Backend.ND4J} calls.
   */
  public Nd4jKernels() {
    this(pathFromProperty());
  }

  private static Path pathFromProperty() {
    String value = System.getProperty(PATH_PROPERTY);
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Path.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          PATH_PROPERTY + " must be fused_host or nd4j_ops, got " + value, e);
    }
  }

  /**
   * @param path where the non-matmul work runs; null picks {@link Path#FUSED_HOST} on the CPU and
   *     {@link Path#ND4J_OPS} otherwise
   * @throws IllegalArgumentException for {@link Path#FUSED_HOST} on a non-CPU ND4J backend
   */
  public Nd4jKernels(Path path) {
    this(path, ATTENTION_OPS_MIN_WORK);
  }

  /**
   * @param attentionOpsMinWork on the fused-host path, attention of {@code rows x positions x
   *     nHeads * headDim} at least this large runs as ND4J ops (tests pass 0 to force it)
   */
  Nd4jKernels(Path path, long attentionOpsMinWork) {
    this.attentionOpsMinWork = attentionOpsMinWork;
    this.cpu = Nd4j.getEnvironment().isCPU();
    if (path == Path.FUSED_HOST && !(cpu && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN)) {
      throw new IllegalArgumentException(
          "path FUSED_HOST needs ND4J on a little-endian CPU, this is "
              + Nd4j.getBackend().getClass().getSimpleName());
    }
    this.path = path != null ? path : cpu ? Path.FUSED_HOST : Path.ND4J_OPS;
    LOG.info(
        () ->
            String.format(
                "nd4j kernels: path=%s nd4j=%s OMP_NUM_THREADS=%s",
                this.path.name().toLowerCase(java.util.Locale.ROOT),
                Nd4j.getBackend().getClass().getSimpleName(),
                System.getenv()
                    .getOrDefault("OMP_NUM_THREADS", "unset (set it to 1 on small CPUs)")));
  }

  @Override
  public String name() {
    return "nd4j";
  }

  /** The path this instance runs element-wise work and attention on. */
  public Path path() {
    return path;
  }

  private boolean host() {
    return path == Path.FUSED_HOST;
  }

  // ---- allocation ----

  @Override
  public Weight weight(TensorData t) {
    if (t.shape().length < 1 || t.shape().length > 2) {
      throw new IllegalArgumentException(
          "tensor " + t + ": only 1-D and 2-D weights are supported");
    }
    int rows = t.rows();
    int cols = t.cols();
    // Q8_0 / Q4_0 weights are decoded to float32 here (copyAsF32): ND4J has no quantized matmul,
    // so on this backend quantization changes the values, not the memory or the speed.
    // Zero-copy only where ND4J reads the weight through BLAS alone (matmul), which accepts any
    // address: ND4J's own element-wise kernels (used by the ND4J-op path for embeddings and norm
    // gains) crash on float arrays that are not 4-byte aligned, and safetensors slices need not be.
    boolean zeroCopy = t.dtype() == DType.F32 && host();
    INDArray matrix = zeroCopy ? Nd4jMemory.wrapF32(t.data(), rows, cols) : Nd4jMemory.copyAsF32(t);
    MemorySegment hostMemory = null;
    if (host()) {
      hostMemory = zeroCopy ? t.data() : Nd4jMemory.hostSegment(matrix);
    }
    return new Nd4jWeight(t.name(), rows, cols, matrix, hostMemory);
  }

  @Override
  public ActivationBuffer buffer(int rowCapacity, int cols) {
    return new Nd4jBuffer(rowCapacity, cols, host());
  }

  @Override
  public KvStore kvStore(int layers, int capacity, int kvDim) {
    return new Nd4jKvStore(layers, capacity, kvDim, host());
  }

  // ---- host transfer ----

  @Override
  public void write(float[] src, int srcOffset, int rows, ActivationBuffer dst) {
    Nd4jBuffer d = (Nd4jBuffer) dst;
    int len = rows * d.cols();
    if (host()) {
      MemorySegment.copy(src, srcOffset, d.host, java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, len);
    } else {
      float[] staged = java.util.Arrays.copyOfRange(src, srcOffset, srcOffset + len);
      d.rows(rows).assign(Nd4j.create(staged, new long[] {rows, d.cols()}, 'c'));
    }
  }

  @Override
  public void read(ActivationBuffer src, int rows, float[] dst, int dstOffset) {
    Nd4jBuffer s = (Nd4jBuffer) src;
    int len = rows * s.cols();
    if (host()) {
      MemorySegment.copy(s.host, java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, dst, dstOffset, len);
    } else {
      // toFloatVector copies to the host (and so synchronises on CUDA)
      float[] staged = s.rows(rows).reshape('c', new long[] {len}).toFloatVector();
      System.arraycopy(staged, 0, dst, dstOffset, len);
    }
  }

  // ---- operations ----

  @Override
  public void embed(Weight table, int[] tokens, int n, ActivationBuffer out) {
    Nd4jWeight w = (Nd4jWeight) table;
    Nd4jBuffer o = (Nd4jBuffer) out;
    if (host()) {
      for (int r = 0; r < n; r++) {
        HostKernels.copyRow(w.host(), tokens[r], o.host, r, w.cols());
      }
    } else {
      ops.embed(w, tokens, n, o);
    }
  }

  @Override
  public void rmsNorm(ActivationBuffer x, Weight gamma, float eps, int n, ActivationBuffer out) {
    Nd4jBuffer xb = (Nd4jBuffer) x;
    Nd4jBuffer ob = (Nd4jBuffer) out;
    Nd4jWeight g = (Nd4jWeight) gamma;
    if (host()) {
      HostKernels.rmsNorm(xb.host, g.host(), eps, n, x.cols(), ob.host);
    } else {
      ops.rmsNorm(xb, g, eps, n, ob);
    }
  }

  @Override
  public void matmul(ActivationBuffer x, Weight w, int n, ActivationBuffer out) {
    Nd4jWeight weight = (Nd4jWeight) w;
    if (x.cols() != weight.cols() || out.cols() < weight.rows()) {
      throw new IllegalArgumentException(
          "matmul "
              + weight.name()
              + " ["
              + weight.rows()
              + ", "
              + weight.cols()
              + "]: x has "
              + x.cols()
              + " columns, out "
              + out.cols());
    }
    ((Nd4jBuffer) out).matmul((Nd4jBuffer) x, weight, n).run();
  }

  @Override
  public void rope(ActivationBuffer x, int n, int nHeads, int[] positions, RopeTable table) {
    Nd4jBuffer xb = (Nd4jBuffer) x;
    if (host()) {
      HostKernels.rope(xb.host, x.cols(), n, nHeads, positions, table);
    } else {
      ops.rope(xb, n, nHeads, positions, table);
    }
  }

  @Override
  public void siluMul(ActivationBuffer gate, ActivationBuffer up, int n) {
    Nd4jBuffer g = (Nd4jBuffer) gate;
    Nd4jBuffer u = (Nd4jBuffer) up;
    if (host()) {
      HostKernels.siluMul(g.host, u.host, (long) n * gate.cols());
    } else {
      ops.siluMul(g, u, n);
    }
  }

  @Override
  public void add(ActivationBuffer acc, ActivationBuffer x, int n) {
    Nd4jBuffer a = (Nd4jBuffer) acc;
    Nd4jBuffer b = (Nd4jBuffer) x;
    if (host()) {
      HostKernels.add(a.host, b.host, (long) n * acc.cols());
    } else {
      ops.add(a, b, n);
    }
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
    Nd4jKvStore store = (Nd4jKvStore) kv;
    Nd4jBuffer qb = (Nd4jBuffer) q;
    Nd4jBuffer kb = (Nd4jBuffer) k;
    Nd4jBuffer vb = (Nd4jBuffer) v;
    Nd4jBuffer ob = (Nd4jBuffer) out;
    long work = (long) count * (startPos + count) * q.cols();
    if (!host() || work >= attentionOpsMinWork) {
      ops.attention(layer, store, startPos, qb, kb, vb, rowStart, count, nHeads, nKvHeads, ob);
      return;
    }
    int kvDim = store.kvDim();
    for (int j = 0; j < count; j++) {
      HostKernels.copyRow(kb.host, rowStart + j, store.hostKeys[layer], startPos + j, kvDim);
      HostKernels.copyRow(vb.host, rowStart + j, store.hostValues[layer], startPos + j, kvDim);
    }
    HostKernels.attend(
        store.hostKeys[layer],
        store.hostValues[layer],
        kvDim,
        store.scores,
        store.query,
        store.acc,
        startPos,
        qb.host,
        rowStart,
        count,
        nHeads,
        nKvHeads,
        q.cols() / nHeads,
        ob.host);
  }

  @Override
  public void gatherRows(ActivationBuffer src, int[] rows, int count, ActivationBuffer dst) {
    Nd4jBuffer s = (Nd4jBuffer) src;
    Nd4jBuffer d = (Nd4jBuffer) dst;
    if (host()) {
      for (int j = 0; j < count; j++) {
        HostKernels.copyRow(s.host, rows[j], d.host, j, s.cols());
      }
    } else {
      ops.gatherRows(s, rows, count, d);
    }
  }

  /**
   * Nothing to free eagerly: ND4J arrays are released with their Java objects, and zero-copy
   * weights point into the model's mapping, which the model closes.
   */
  @Override
  public void close() {}
}
