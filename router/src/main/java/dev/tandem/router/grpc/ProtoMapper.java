package dev.tandem.router.grpc;

import dev.tandem.proto.v1.Budget;
import dev.tandem.proto.v1.CacheHit;
import dev.tandem.proto.v1.CacheKind;
import dev.tandem.proto.v1.CachePolicy;
import dev.tandem.proto.v1.FinishReason;
import dev.tandem.proto.v1.GenerateChunk;
import dev.tandem.proto.v1.GenerateRequest;
import dev.tandem.proto.v1.GenerationSummary;
import dev.tandem.proto.v1.Speculation;
import dev.tandem.proto.v1.SpeculationStats;
import dev.tandem.proto.v1.TierPins;
import dev.tandem.proto.v1.Usage;
import dev.tandem.router.api.GenerationRequest;
import dev.tandem.router.api.GenerationRequest.ChatMessage;
import dev.tandem.router.api.GenerationRequest.SpeculationMode;
import dev.tandem.router.api.GenerationRequest.SpeculationOverride;
import dev.tandem.router.api.RequestValidator.RawRequest;
import dev.tandem.router.engine.GenerationResult;
import dev.tandem.router.errors.TandemException;
import java.util.List;

/**
 * The only place that knows both the {@code tandem.v1} protobuf messages and the domain records:
 * requests in, chunks out. Stateless.
 */
public final class ProtoMapper {

  private ProtoMapper() {}

  /** Proto request → raw fields for validation (field names in messages use proto spelling). */
  public static RawRequest toRaw(GenerateRequest r) {
    List<ChatMessage> messages =
        r.hasMessages()
            ? r.getMessages().getMessagesList().stream()
                .map(m -> new ChatMessage(m.getRole(), m.getContent()))
                .toList()
            : null;
    return new RawRequest(
        r.getModel(),
        r.hasPrompt() ? r.getPrompt() : null,
        messages,
        r.getMaxTokens() == 0 ? null : Integer.toUnsignedLong(r.getMaxTokens()),
        r.hasTemperature() ? r.getTemperature() : null,
        r.hasTopP() ? r.getTopP() : null,
        Integer.toUnsignedLong(r.getTopK()),
        r.hasSeed() ? r.getSeed() : null,
        r.getStopList(),
        r.hasBudget() ? budget(r.getBudget()) : null,
        r.hasSpeculation() ? speculation(r.getSpeculation()) : null,
        cacheMode(r.getCache()),
        r.getTagsMap(),
        r.getReturnTokenIds(),
        r.hasRouting() ? pins(r.getRouting()) : null);
  }

  private static GenerationRequest.TierPins pins(TierPins p) {
    return new GenerationRequest.TierPins(
        p.getMinTier().isEmpty() ? null : p.getMinTier(),
        p.getMaxTier().isEmpty() ? null : p.getMaxTier());
  }

  private static GenerationRequest.CacheMode cacheMode(CachePolicy policy) {
    return switch (policy) {
      case CACHE_USE -> GenerationRequest.CacheMode.AUTO;
      case CACHE_BYPASS -> GenerationRequest.CacheMode.BYPASS;
      case CACHE_EXACT -> GenerationRequest.CacheMode.EXACT;
      case CACHE_SEMANTIC -> GenerationRequest.CacheMode.SEMANTIC;
      case UNRECOGNIZED ->
          throw TandemException.invalid(
              "cache", "cache must be CACHE_USE, CACHE_EXACT, CACHE_SEMANTIC or CACHE_BYPASS");
    };
  }

  private static GenerationRequest.Budget budget(Budget b) {
    if (b.getTtftMs() > Integer.MAX_VALUE || b.getTtftMs() < 0 || b.getTpotMs() < 0) {
      throw TandemException.invalid(
          "budget", "budget.ttft_ms and budget.tpot_ms must fit in int32");
    }
    return new GenerationRequest.Budget(b.getMaxCostUsd(), b.getTtftMs(), b.getTpotMs());
  }

  private static SpeculationOverride speculation(Speculation s) {
    SpeculationMode mode =
        switch (s.getMode()) {
          case MODE_AUTO -> SpeculationMode.AUTO;
          case MODE_OFF -> SpeculationMode.OFF;
          case MODE_FIXED -> SpeculationMode.FIXED;
          case UNRECOGNIZED ->
              throw TandemException.invalid(
                  "speculation.mode", "speculation.mode must be MODE_AUTO, MODE_OFF or MODE_FIXED");
        };
    return new SpeculationOverride(mode, s.getK(), s.getDrafter());
  }

  /** A text delta chunk. */
  public static GenerateChunk delta(String text, int[] tokens, boolean withTokenIds) {
    GenerateChunk.Builder chunk = GenerateChunk.newBuilder().setText(text);
    if (withTokenIds) {
      for (int token : tokens) {
        chunk.addTokenIds(token);
      }
    }
    return chunk.build();
  }

  /** The last chunk: remaining text, finish reason and the summary. */
  public static GenerateChunk last(String text, GenerationResult result) {
    GenerationSummary.Builder summary = GenerationSummary.newBuilder();
    result
        .cacheHit()
        .ifPresent(
            hit ->
                summary.setCacheHit(
                    CacheHit.newBuilder()
                        .setKind(
                            switch (hit.kind()) {
                              case EXACT -> CacheKind.CACHE_KIND_EXACT;
                              case SEMANTIC -> CacheKind.CACHE_KIND_SEMANTIC;
                            })
                        .setSimilarity(hit.similarity())
                        .setPromptId(hit.promptId())));
    return GenerateChunk.newBuilder()
        .setText(text)
        .setFinishReason(finishReason(result.finishReason()))
        .setSummary(
            summary
                .setUsage(
                    Usage.newBuilder()
                        .setPromptTokens(result.promptTokens())
                        .setCompletionTokens(result.completionTokens()))
                .setCostUsd(result.costUsd())
                .setSpeculation(
                    SpeculationStats.newBuilder()
                        .setDraftTokens(result.draftTokens())
                        .setAcceptedTokens(result.acceptedTokens())
                        .setVerifierCalls(result.verifierCalls())
                        .setDrafter(result.drafter()))
                .setTier(result.tier())
                .setRouteReason(result.routeReason())
                .setModel(result.model())
                .setCached(result.cached()))
        .build();
  }

  private static FinishReason finishReason(GenerationResult.FinishReason reason) {
    return switch (reason) {
      case LENGTH -> FinishReason.FINISH_REASON_LENGTH;
      case STOP -> FinishReason.FINISH_REASON_STOP;
      case EOS -> FinishReason.FINISH_REASON_EOS;
      case BUDGET -> FinishReason.FINISH_REASON_BUDGET;
    };
  }
}
