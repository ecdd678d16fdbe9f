package dev.tandem.model;

import dev.tandem.model.ForwardPlan.Segment;
import dev.tandem.model.kernel.Kernels;
import dev.tandem.model.kernel.RopeTable;
import java.util.ArrayList;
import java.util.List;

/**
 * The LLaMA forward pass, written once against {@link Kernels}. Rows of several sequences run
 * together through every linear layer; only attention runs per sequence, over that sequence's own
 * KV cache.
 *
 * <p>Threads: {@link #forward} may be called from several model threads at once (each has its own
 * {@link Workspace}); the sequences in one call must not be in use by another call.
 */
final class Transformer {
  private final ModelConfig c;
  private final ModelWeights w;
  private final Kernels kernels;
  private final RopeTable rope;
  private final int maxRows;
  private final ThreadLocal<Workspace> workspaces;

  Transformer(ModelConfig c, ModelWeights w, Kernels kernels, int maxRows) {
    this.c = c;
    this.w = w;
    this.kernels = kernels;
    this.maxRows = maxRows;
    this.rope = new RopeTable(c.headDim(), c.ropeTheta(), c.maxPositionEmbeddings());
    this.workspaces = ThreadLocal.withInitial(() -> new Workspace(kernels, c, maxRows));
  }

  /** Runs a validated batch; returns one logits block per input, in input order. */
  List<Logits> forward(List<SequenceInput> inputs) {
    float[][] out = new float[inputs.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = new float[inputs.get(i).logitsRows() * c.vocabSize()];
    }
    Workspace ws = workspaces.get();
    for (List<Segment> pass : ForwardPlan.passes(inputs, maxRows)) {
      runPass(ws, inputs, pass, out);
      for (Segment s : pass) {
        inputs.get(s.input()).sequence().advance(s.count());
      }
    }
    List<Logits> result = new ArrayList<>(out.length);
    for (int i = 0; i < out.length; i++) {
      result.add(new Logits(inputs.get(i).logitsRows(), c.vocabSize(), out[i]));
    }
    return result;
  }

  private void runPass(
      Workspace ws, List<SequenceInput> inputs, List<Segment> pass, float[][] out) {
    int n = layers(ws, inputs, pass);
    outputHead(ws, n, inputs, pass, out);
  }

  /**
   * Runs one sequence's tokens through every layer and returns the mean over positions of the
   * final-normed hidden state: tokens: [n] -> x: [n, dim] -> norm -> mean: [dim].
   */
  float[] meanHiddenState(Sequence seq, int[] tokens) {
    List<SequenceInput> inputs = List.of(new SequenceInput(seq, tokens, false));
    Workspace ws = workspaces.get();
    int dim = c.hiddenSize();
    double[] sum = new double[dim];
    float[] rows = new float[maxRows * dim];
    for (List<Segment> pass : ForwardPlan.passes(inputs, maxRows)) {
      int n = layers(ws, inputs, pass);
      kernels.rmsNorm(ws.x, w.finalNorm(), c.rmsNormEps(), n, ws.headIn); // headIn: [n, dim]
      kernels.read(ws.headIn, n, rows, 0);
      for (int r = 0; r < n; r++) {
        for (int i = 0; i < dim; i++) {
          sum[i] += rows[r * dim + i];
        }
      }
      for (Segment s : pass) {
        seq.advance(s.count());
      }
    }
    float[] mean = new float[dim];
    for (int i = 0; i < dim; i++) {
      mean[i] = (float) (sum[i] / tokens.length);
    }
    return mean;
  }

  /** Embeds the pass's rows and runs every layer over them; returns the number of rows. */
  private int layers(Workspace ws, List<SequenceInput> inputs, List<Segment> pass) {
    int n = 0; // rows in this pass
    for (Segment s : pass) {
      int[] tokens = inputs.get(s.input()).tokens();
      for (int j = 0; j < s.count(); j++) {
        ws.tokens[n] = tokens[s.offset() + j];
        ws.positions[n++] = s.startPos() + j;
      }
    }
    // tokens: [n] -> x: [n, dim]
    kernels.embed(w.embedTokens(), ws.tokens, n, ws.x);
    for (int layer = 0; layer < w.layers().length; layer++) {
      attentionBlock(ws, layer, n, inputs, pass);
      feedForwardBlock(ws, layer, n);
    }
    return n;
  }

  // x: [n, dim] -> x + o_proj(attention(rope(q), rope(k), v))
  private void attentionBlock(
      Workspace ws, int layer, int n, List<SequenceInput> inputs, List<Segment> pass) {
    ModelWeights.Layer l = w.layers()[layer];
    kernels.rmsNorm(ws.x, l.attnNorm(), c.rmsNormEps(), n, ws.xb);
    kernels.matmul(ws.xb, l.wq(), n, ws.q); // xb: [n, dim] -> q: [n, nHeads * headDim]
    kernels.matmul(ws.xb, l.wk(), n, ws.k); // xb: [n, dim] -> k: [n, nKvHeads * headDim]
    kernels.matmul(ws.xb, l.wv(), n, ws.v); // xb: [n, dim] -> v: [n, nKvHeads * headDim]
    kernels.rope(ws.q, n, c.numHeads(), ws.positions, rope);
    kernels.rope(ws.k, n, c.numKvHeads(), ws.positions, rope);
    int rowStart = 0;
    for (Segment s : pass) { // per sequence: its rows attend over its own cache
      Sequence seq = inputs.get(s.input()).sequence();
      kernels.attention(
          layer,
          seq.kv,
          s.startPos(),
          ws.q,
          ws.k,
          ws.v,
          rowStart,
          s.count(),
          c.numHeads(),
          c.numKvHeads(),
          ws.att); // -> att: [n, nHeads * headDim]
      rowStart += s.count();
    }
    kernels.matmul(ws.att, l.wo(), n, ws.proj); // att: [n, nHeads * headDim] -> proj: [n, dim]
    kernels.add(ws.x, ws.proj, n);
  }

  // x: [n, dim] -> x + down(silu(gate(xb)) * up(xb))
  private void feedForwardBlock(Workspace ws, int layer, int n) {
    ModelWeights.Layer l = w.layers()[layer];
    kernels.rmsNorm(ws.x, l.ffnNorm(), c.rmsNormEps(), n, ws.xb);
    kernels.matmul(ws.xb, l.wGate(), n, ws.gate); // xb: [n, dim] -> gate: [n, ffn]
    kernels.matmul(ws.xb, l.wUp(), n, ws.up); // xb: [n, dim] -> up: [n, ffn]
    kernels.siluMul(ws.gate, ws.up, n);
    kernels.matmul(ws.gate, l.wDown(), n, ws.proj); // gate: [n, ffn] -> proj: [n, dim]
    kernels.add(ws.x, ws.proj, n);
  }

  // x: [n, dim] -> wanted rows m -> norm -> logits: [m, vocab], copied into each input's output
  private void outputHead(
      Workspace ws, int n, List<SequenceInput> inputs, List<Segment> pass, float[][] out) {
    int m = 0;
    int row = 0;
    for (Segment s : pass) {
      if (inputs.get(s.input()).allLogits()) {
        for (int j = 0; j < s.count(); j++) {
          ws.logitRows[m++] = row + j;
        }
      } else if (s.last()) {
        ws.logitRows[m++] = row + s.count() - 1;
      }
      row += s.count();
    }
    if (m == 0) {
      return; // a prefill segment that is not the prompt's last
    }
    kernels.gatherRows(ws.x, ws.logitRows, m, ws.headIn);
    kernels.rmsNorm(ws.headIn, w.finalNorm(), c.rmsNormEps(), m, ws.headIn);
    kernels.matmul(ws.headIn, w.lmHead(), m, ws.logits); // headIn: [m, dim] -> [m, vocab]
    kernels.read(ws.logits, m, ws.hostLogits, 0);
    int vocab = c.vocabSize();
    int src = 0;
    for (Segment s : pass) {
      SequenceInput in = inputs.get(s.input());
      int rows = in.allLogits() ? s.count() : (s.last() ? 1 : 0);
      int dst = in.allLogits() ? s.offset() : 0;
      System.arraycopy(ws.hostLogits, src * vocab, out[s.input()], dst * vocab, rows * vocab);
      src += rows;
    }
  }
}
