package dev.tandem.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a batch into passes of at most {@code maxRows} token rows. A sequence's tokens stay in
 * order: an input longer than a pass is cut into consecutive segments, each in a later pass, so
 * every segment finds its predecessors already in the KV cache.
 */
final class ForwardPlan {

  /**
   * Part of one input that runs in one pass.
   *
   * @param input index of the input in the batch
   * @param offset index of the segment's first token within the input's tokens
   * @param count tokens in the segment
   * @param startPos position of the first token in the sequence
   * @param last true for the input's final segment
   */
  record Segment(int input, int offset, int count, int startPos, boolean last) {}

  private ForwardPlan() {}

  /** The passes, each a list of segments whose counts sum to at most maxRows. */
  static List<List<Segment>> passes(List<SequenceInput> inputs, int maxRows) {
    List<List<Segment>> passes = new ArrayList<>();
    List<Segment> current = new ArrayList<>();
    int used = 0;
    for (int i = 0; i < inputs.size(); i++) {
      SequenceInput in = inputs.get(i);
      int start = in.sequence().length();
      for (int off = 0; off < in.tokens().length; ) {
        if (used == maxRows) {
          passes.add(current);
          current = new ArrayList<>();
          used = 0;
        }
        int count = Math.min(in.tokens().length - off, maxRows - used);
        current.add(new Segment(i, off, count, start + off, off + count == in.tokens().length));
        used += count;
        off += count;
      }
    }
    if (!current.isEmpty()) {
      passes.add(current);
    }
    return passes;
  }
}
