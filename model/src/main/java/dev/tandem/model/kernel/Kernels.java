package dev.tandem.model.kernel;

/**
 * The compute operations of a LLaMA-family forward pass, implemented once per backend ({@code
 * vector}: Java Vector API on the CPU; {@code nd4j}: ND4J on CPU or CUDA). The forward pass ({@code
 * dev.tandem.model.Transformer}) is written only against this interface, so a backend is exactly
 * this class plus its {@link Weight}, {@link ActivationBuffer} and {@link KvStore} types.
 *
 * <h2>Conventions every implementation follows</h2>
 *
 * <ul>
 *   <li><b>Float32 compute.</b> Weights may be stored F32, F16 or BF16 ({@link DType}); every
 *       operation computes and accumulates in float32 (or wider). Results must match a float32
 *       PyTorch reference within 1e-4 absolute on the test models.
 *   <li><b>Row-major matrices of rows.</b> Activations are {@code [rows, features]}: one row per
 *       token. In a batched forward the rows of several sequences are concatenated; only {@link
 *       #attention} cares which rows belong to which sequence.
 *   <li><b>Explicit row counts.</b> Buffers have a row capacity; each operation takes the number of
 *       rows to process, starting at row 0 unless a row range is given. Rows past it are untouched.
 *   <li><b>Own types only.</b> Arguments are always objects this same instance created ({@link
 *       #weight}, {@link #buffer}, {@link #kvStore}); implementations may cast them.
 *   <li><b>No allocation per call</b> on the decode path (one row): per-call scratch belongs in the
 *       buffers or in per-thread caches.
 *   <li><b>Aliasing.</b> {@code out} may be the same buffer as an input only where stated ("in
 *       place").
 *   <li><b>Threads.</b> One instance is shared by all sequences and called from several model
 *       threads at once, each with its own buffers and KV stores: methods must be safe for
 *       concurrent calls on distinct buffers and stores (weights are read-only). Whether a single
 *       call uses more than one thread internally is the backend's choice; document it.
 *   <li><b>Synchronous.</b> When a method returns, its result is visible to the next call and to
 *       {@link #read} (a GPU backend synchronises in {@link #read}, or earlier).
 * </ul>
 *
 * <p>Shapes below use {@code n} = rows, {@code d} = {@code x.cols()}.
 */
public interface Kernels extends AutoCloseable {

  /** Backend name as config spells it: {@code vector} or {@code nd4j}. */
  String name();

  // ---- allocation (once, at load time or when a sequence / workspace is created) ----

  /**
   * Prepares a weight tensor (1-D or 2-D) for this backend. May keep a reference to {@code
   * data.data()} (zero-copy) or convert/copy it; must not modify it.
   */
  Weight weight(TensorData data);

  /** A zero-filled activation buffer {@code [rowCapacity, cols]}. */
  ActivationBuffer buffer(int rowCapacity, int cols);

  /** A KV store for one sequence: {@code layers x [capacity, kvDim]} keys and values. */
  KvStore kvStore(int layers, int capacity, int kvDim);

  // ---- host transfer ----

  /**
   * Copies host floats {@code src[srcOffset .. + rows*cols)} into rows {@code [0, rows)} of dst.
   */
  void write(float[] src, int srcOffset, int rows, ActivationBuffer dst);

  /** Copies rows {@code [0, rows)} of src into {@code dst[dstOffset ..)}, row-major. */
  void read(ActivationBuffer src, int rows, float[] dst, int dstOffset);

  // ---- operations ----

  /**
   * Embedding lookup. {@code out[r, :] = table[tokens[r], :]} for r in [0, n).
   *
   * @param table {@code [vocab, d]}
   * @param tokens n token ids, each in [0, vocab) (the caller validated them)
   * @param out {@code [>= n, d]}
   */
  void embed(Weight table, int[] tokens, int n, ActivationBuffer out);

  /**
   * RMSNorm, as in HF LLaMA: {@code out[r, i] = x[r, i] / sqrt(mean_j(x[r, j]^2) + eps) *
   * gamma[i]}, with the mean over the {@code d} columns. In place allowed ({@code out == x}).
   *
   * @param gamma 1-D weight of length d
   */
  void rmsNorm(ActivationBuffer x, Weight gamma, float eps, int n, ActivationBuffer out);

  /**
   * Linear layer without bias. {@code out[r, o] = sum_i x[r, i] * w[o, i]} for r in [0, n), o in
   * [0, w.rows()): i.e. {@code out = x · wᵀ}, {@code x: [n, w.cols()] -> out: [n, w.rows()]}. Not
   * in place. This is where nearly all time goes: at n = 1 it is memory-bound on reading w, at n =
   * 2..16 (block scoring, batching) reading w once for all rows is what makes scoring k tokens
   * cheaper than k decode steps.
   */
  void matmul(ActivationBuffer x, Weight w, int n, ActivationBuffer out);

  /**
   * Rotary embedding in place on {@code x: [n, nHeads * headDim]}, row r at position {@code
   * positions[r]}, in the rotate_half convention documented on {@link RopeTable}. Used for queries
   * (nHeads = attention heads) and keys (nHeads = KV heads).
   */
  void rope(ActivationBuffer x, int n, int nHeads, int[] positions, RopeTable table);

  /**
   * SwiGLU gate in place: {@code gate[r, i] = silu(gate[r, i]) * up[r, i]} for r in [0, n), where
   * {@code silu(z) = z / (1 + exp(-z))}.
   */
  void siluMul(ActivationBuffer gate, ActivationBuffer up, int n);

  /** Residual add in place: {@code acc[r, :] += x[r, :]} for r in [0, n). */
  void add(ActivationBuffer acc, ActivationBuffer x, int n);

  /**
   * Appends one sequence's new keys and values to its KV store and computes causal multi-head
   * attention (with grouped-query / multi-query sharing) for that sequence's rows.
   *
   * <p>The sequence owns rows {@code [rowStart, rowStart + count)} of q, k, v and out; its row
   * {@code rowStart + j} is at position {@code startPos + j}. Steps:
   *
   * <ol>
   *   <li>store {@code k[rowStart + j, :]} and {@code v[rowStart + j, :]} at position {@code
   *       startPos + j} of {@code layer} in {@code kv}, for j in [0, count) (overwriting whatever
   *       was there: that is how rollback works);
   *   <li>for each such row and each head h in [0, nHeads), with KV head {@code kh = h / (nHeads /
   *       nKvHeads)} and {@code t} over positions {@code [0, startPos + j]} (causal):
   *       <pre>
   *   score[t] = dot(q[row, h*headDim ..+headDim], K[layer][t, kh*headDim ..+headDim]) / sqrt(headDim)
   *   p = softmax(score)          (subtract the max first)
   *   out[row, h*headDim ..+headDim] = sum_t p[t] * V[layer][t, kh*headDim ..+headDim]
   *       </pre>
   * </ol>
   *
   * q, out: {@code [rows, nHeads * headDim]}; k, v: {@code [rows, nKvHeads * headDim]}. The caller
   * guarantees {@code startPos + count <= kv.capacity()}, that positions below {@code startPos}
   * hold this sequence's earlier keys and values, and that q and k already carry RoPE.
   */
  void attention(
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
      ActivationBuffer out);

  /**
   * Row gather: {@code dst[j, :] = src[rows[j], :]} for j in [0, count). Used to run the output
   * head only on the rows whose logits are wanted (e.g. the last prompt token of a prefill). Not in
   * place.
   */
  void gatherRows(ActivationBuffer src, int[] rows, int count, ActivationBuffer dst);

  /** Releases backend resources (device memory, pools). Weights made by this instance die too. */
  @Override
  void close();
}
