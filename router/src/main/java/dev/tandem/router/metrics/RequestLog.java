package dev.tandem.router.metrics;

import dev.tandem.router.api.GenerationRequest;
import dev.tandem.router.engine.GenerationObserver;
import dev.tandem.router.engine.GenerationResult;
import dev.tandem.router.engine.Tier;
import dev.tandem.router.errors.ErrorMapping;
import dev.tandem.router.format.Decimals;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One line per request at INFO on the {@code dev.tandem.requests} logger, as {@code key=value}
 * pairs a log pipeline can parse: request id, operation, tier, drafter, sampling (greedy, seeded,
 * random) and the speculation asked for, tokens, mean k, acceptance, cost, cache hits (kind,
 * similarity, the cached prompt's id), TTFT, duration, finish reason, status. No prompt text unless
 * the logger is at FINE (debug): then the first 200 characters of the prompt are added,
 * JSON-escaped.
 *
 * <p>Threading: thread-safe; called on event loops.
 */
public final class RequestLog implements GenerationObserver {

  private static final Logger LOG = Logger.getLogger("dev.tandem.requests");

  @Override
  public void started(GenerationRequest request, Tier tier) {}

  @Override
  public void ended(Ended e) {
    if (!LOG.isLoggable(Level.INFO)) {
      return;
    }
    LOG.info(line(e));
  }

  static String line(Ended e) {
    StringBuilder line =
        new StringBuilder("request id=")
            .append(e.requestId())
            .append(" op=")
            .append(
                e.request().prompt() instanceof GenerationRequest.ChatPrompt
                    ? "chat"
                    : "text_completion")
            .append(" tier=")
            .append(e.tier().name())
            .append(" drafter=")
            .append(e.drafter())
            .append(" sampling=")
            .append(sampling(e.request()))
            .append(" speculation=")
            .append(speculation(e.request().speculation()));
    GenerationResult r = e.result();
    if (r != null) {
      int steps = Math.max(1, r.verifierCalls() - 1);
      line.append(" prompt_tokens=")
          .append(r.promptTokens())
          .append(" completion_tokens=")
          .append(r.completionTokens())
          .append(" k_mean=");
      Decimals.append(line, (double) r.draftTokens() / steps, 2).append(" acceptance=");
      Decimals.append(
              line, r.draftTokens() == 0 ? 0 : (double) r.acceptedTokens() / r.draftTokens(), 3)
          .append(" tokens_per_call=");
      Decimals.append(line, r.tokensPerVerifierCall(), 2).append(" cost_usd=");
      Decimals.append(line, r.costUsd(), 8);
      r.cacheHit()
          .ifPresent(
              hit -> {
                line.append(" cache=").append(hit.kind().label()).append(" similarity=");
                Decimals.append(line, hit.similarity(), 4)
                    .append(" cached_prompt=")
                    .append(hit.promptId());
              });
      line.append(" route=\"").append(r.routeReason()).append('"');
    }
    if (e.ttftNanos() < 0) {
      line.append(" ttft_ms=-");
    } else {
      Decimals.append(line.append(" ttft_ms="), e.ttftNanos() / 1e6, 2);
    }
    Decimals.append(line.append(" duration_ms="), e.durationNanos() / 1e6, 2)
        .append(" finish=")
        .append(r != null ? r.finishReason().name().toLowerCase(Locale.ROOT) : "error")
        .append(" status=")
        .append(
            r != null
                ? "ok"
                : ErrorMapping.classify(e.error()).kind().name().toLowerCase(Locale.ROOT));
    if (LOG.isLoggable(Level.FINE)) {
      String prompt =
          switch (e.request().prompt()) {
            case GenerationRequest.TextPrompt t -> t.text();
            case GenerationRequest.ChatPrompt c ->
                c.messages().isEmpty() ? "" : c.messages().getLast().content();
          };
      String head = prompt.length() > 200 ? prompt.substring(0, 200) : prompt;
      line.append(" max_tokens=")
          .append(e.request().maxTokens())
          .append(" prompt=")
          .append(io.vertx.core.json.Json.encode(head));
    }
    return line.toString();
  }

  /**
   * greedy, seeded (sampled with a client seed: its output depends on every step's k) or random.
   */
  private static String sampling(GenerationRequest request) {
    if (request.sampling().isGreedy()) {
      return "greedy";
    }
    return request.seededSample() ? "seeded" : "random";
  }

  /** The speculation the request asked for: auto, fixed or off, with its k after a colon if set. */
  private static String speculation(GenerationRequest.SpeculationOverride override) {
    String mode = override.mode().name().toLowerCase(Locale.ROOT);
    return override.k() > 0 ? mode + ":" + override.k() : mode;
  }
}
