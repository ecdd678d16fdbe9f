package dev.tandem.verifier.protocol;

import dev.tandem.proto.v1.Close;
import dev.tandem.proto.v1.Open;
import dev.tandem.proto.v1.Opened;
import dev.tandem.proto.v1.Sampling;
import dev.tandem.proto.v1.VerifierRequest;
import dev.tandem.proto.v1.VerifierResponse;
import dev.tandem.proto.v1.Verify;
import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.SparseDistribution;
import dev.tandem.verifier.engine.OpenResult;
import dev.tandem.verifier.engine.VerifyResult;

/**
 * Domain records to protobuf messages of {@code tandem.v1.Verifier}: requests for the client,
 * responses for the server. Draft probabilities are sent only for sampled sessions (greedy
 * acceptance does not read them).
 *
 * <p>Stateless and thread-safe.
 */
public final class ToProto {

  private ToProto() {}

  /**
   * @param resume true when {@code prompt} is a sequence to continue: prompt + emitted tokens, the
   *     last one not yet scored
   */
  public static VerifierRequest open(
      String model, int[] prompt, SamplingParams params, int maxLength, boolean resume) {
    Open.Builder open =
        Open.newBuilder()
            .setModel(model)
            .setSampling(
                Sampling.newBuilder()
                    .setTemperature(params.temperature())
                    .setTopP(params.topP())
                    .setTopK(params.topK())
                    .setSeed(params.seed()))
            .setMaxLength(maxLength)
            .setResume(resume);
    for (int token : prompt) {
      open.addPromptTokens(token);
    }
    return VerifierRequest.newBuilder().setOpen(open).build();
  }

  public static VerifierRequest verify(
      int position, int lastToken, DraftBlock draft, boolean withProbs) {
    Verify.Builder verify = Verify.newBuilder().setPosition(position).setLastToken(lastToken);
    for (int token : draft.tokens()) {
      verify.addDraftTokens(token);
    }
    if (withProbs) {
      for (SparseDistribution q : draft.probs()) {
        dev.tandem.proto.v1.SparseDistribution.Builder proto =
            dev.tandem.proto.v1.SparseDistribution.newBuilder();
        for (int i = 0; i < q.size(); i++) {
          proto.addTokenIds(q.tokens()[i]).addProbs(q.probs()[i]);
        }
        verify.addDraftProbs(proto);
      }
    }
    return VerifierRequest.newBuilder().setVerify(verify).build();
  }

  public static VerifierRequest close() {
    return VerifierRequest.newBuilder().setClose(Close.getDefaultInstance()).build();
  }

  public static VerifierResponse opened(OpenResult result) {
    return VerifierResponse.newBuilder()
        .setOpened(
            Opened.newBuilder()
                .setSessionId(Long.toString(result.sessionId()))
                .setFirstToken(result.firstToken())
                .setPosition(result.position()))
        .build();
  }

  public static VerifierResponse verdict(VerifyResult result) {
    return VerifierResponse.newBuilder()
        .setVerdict(
            dev.tandem.proto.v1.Verdict.newBuilder()
                .setAcceptedCount(result.verdict().acceptedCount())
                .setNextToken(result.verdict().nextToken())
                .setPosition(result.position())
                .setBusy((float) result.load().busy())
                .setPositionsCostThroughput(result.load().positionsCostThroughput())
                .setCallCostRows((float) result.load().callCostRows())
                .setRowCostToOthersNanos((float) result.load().rowCostToOthersNanos()))
        .build();
  }
}
