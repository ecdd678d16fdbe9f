package dev.tandem.verifier.protocol;

import dev.tandem.proto.v1.Open;
import dev.tandem.proto.v1.Opened;
import dev.tandem.proto.v1.Sampling;
import dev.tandem.proto.v1.Verify;
import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.SparseDistribution;
import dev.tandem.speccore.Verdict;
import dev.tandem.verifier.engine.OpenResult;
import dev.tandem.verifier.engine.ScoringLoad;
import dev.tandem.verifier.engine.VerifyResult;
import java.util.List;

/**
 * Protobuf messages of {@code tandem.v1.Verifier} to domain records, validating as it goes: a bad
 * field gives an {@link IllegalArgumentException} naming the field and its allowed range. Used by
 * the server for requests and by the client for responses.
 *
 * <p>Stateless and thread-safe.
 */
public final class FromProto {

  private FromProto() {}

  public static OpenCommand open(Open open) {
    int[] prompt = tokens("prompt_tokens", open.getPromptTokensList());
    if (prompt.length == 0) {
      throw new IllegalArgumentException("prompt_tokens must hold at least one token, got none");
    }
    return new OpenCommand(
        open.getModel(),
        prompt,
        sampling(open.getSampling()),
        nonNegative("max_length", open.getMaxLength()),
        open.getResume());
  }

  public static VerifyCommand verify(Verify verify) {
    int[] draft = tokens("draft_tokens", verify.getDraftTokensList());
    if (draft.length > DraftBlock.MAX_DRAFT) {
      throw new IllegalArgumentException(
          "draft_tokens must hold 0.." + DraftBlock.MAX_DRAFT + " tokens, got " + draft.length);
    }
    DraftBlock block;
    if (verify.getDraftProbsCount() == 0) {
      block = DraftBlock.greedy(draft);
    } else if (verify.getDraftProbsCount() != draft.length) {
      throw new IllegalArgumentException(
          "draft_probs must be empty or hold one distribution per draft token ("
              + draft.length
              + "), got "
              + verify.getDraftProbsCount());
    } else {
      SparseDistribution[] probs = new SparseDistribution[draft.length];
      for (int i = 0; i < probs.length; i++) {
        probs[i] = distribution("draft_probs[" + i + "]", verify.getDraftProbs(i));
      }
      block = new DraftBlock(draft, probs);
    }
    return new VerifyCommand(
        nonNegative("position", verify.getPosition()),
        nonNegative("last_token", verify.getLastToken()),
        block);
  }

  /** Temperature 0 is greedy; top_p 0 (unset) means off, like 1. */
  public static SamplingParams sampling(Sampling sampling) {
    float topP = sampling.getTopP() == 0f ? 1f : sampling.getTopP();
    return new SamplingParams(
        sampling.getTemperature(),
        topP,
        nonNegative("top_k", sampling.getTopK()),
        sampling.getSeed());
  }

  public static OpenResult opened(Opened opened) {
    return new OpenResult(0, opened.getFirstToken(), nonNegative("position", opened.getPosition()));
  }

  public static VerifyResult verdict(dev.tandem.proto.v1.Verdict verdict) {
    return new VerifyResult(
        new Verdict(
            nonNegative("accepted_count", verdict.getAcceptedCount()),
            nonNegative("next_token", verdict.getNextToken())),
        nonNegative("position", verdict.getPosition()),
        new ScoringLoad(
            unitInterval("busy", verdict.getBusy()),
            verdict.getPositionsCostThroughput(),
            finiteNonNegative("call_cost_rows", verdict.getCallCostRows()),
            finiteNonNegative("row_cost_to_others_nanos", verdict.getRowCostToOthersNanos())));
  }

  private static SparseDistribution distribution(
      String field, dev.tandem.proto.v1.SparseDistribution proto) {
    int[] tokens = tokens(field + ".token_ids", proto.getTokenIdsList());
    float[] probs = new float[proto.getProbsCount()];
    for (int i = 0; i < probs.length; i++) {
      probs[i] = proto.getProbs(i);
    }
    try {
      return new SparseDistribution(tokens, probs);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
    }
  }

  private static int[] tokens(String field, List<Integer> values) {
    int[] tokens = new int[values.size()];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = nonNegative(field, values.get(i));
    }
    return tokens;
  }

  private static double finiteNonNegative(String field, float value) {
    if (!(value >= 0 && value < Float.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException(field + " must be finite and >= 0, got " + value);
    }
    return value;
  }

  private static double unitInterval(String field, float value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(field + " must be in [0, 1], got " + value);
    }
    return value;
  }

  /** A uint32 that must fit a Java int. */
  private static int nonNegative(String field, int value) {
    if (value < 0) {
      throw new IllegalArgumentException(
          field
              + " must be in 0.."
              + Integer.MAX_VALUE
              + ", got "
              + Integer.toUnsignedString(value));
    }
    return value;
  }
}
