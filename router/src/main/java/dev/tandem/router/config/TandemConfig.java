package dev.tandem.router.config;

import java.nio.file.Path;
import java.util.List;

/**
 * The router's whole configuration, read once into typed records and validated as a whole by {@link
 * ConfigReader}. Immutable: a reload builds a new instance and swaps it in atomically.
 */
public record TandemConfig(
    Server server,
    Limits limits,
    Runtime runtime,
    Drafting drafting,
    Speculation speculation,
    List<Tier> tiers,
    String defaultTier) {

  public TandemConfig {
    tiers = List.copyOf(tiers);
  }

  /** Where the router listens: gRPC and HTTP share one port. */
  public record Server(String host, int port) {}

  /**
   * @param maxTokens largest max_tokens a request may ask for
   * @param defaultMaxTokens max_tokens when a request gives none
   * @param maxPromptChars largest prompt, in characters
   * @param maxBodyBytes largest HTTP body
   * @param requestTimeoutMs deadline of HTTP requests (gRPC uses grpc-timeout); 0 = none
   * @param maxConcurrentStreams HTTP/2 streams per connection
   */
  public record Limits(
      int maxTokens,
      int defaultMaxTokens,
      int maxPromptChars,
      long maxBodyBytes,
      long requestTimeoutMs,
      int maxConcurrentStreams) {}

  /**
   * The model runtime that runs local models (the drafter, in-process verifiers).
   *
   * @param backend auto, vector or nd4j
   * @param threads model executor threads
   */
  public record Runtime(String backend, int threads) {}

  /**
   * @param defaultDrafter what "auto" means: model, ngram or none
   * @param draftModel directory of the draft model (HF format), or null for none
   * @param ngramMin shortest n-gram the prompt-lookup drafter matches
   * @param ngramMax longest n-gram the prompt-lookup drafter matches
   * @param draftPricePer1kTokensUsd what drafting costs per 1,000 draft tokens
   */
  public record Drafting(
      String defaultDrafter,
      Path draftModel,
      int ngramMin,
      int ngramMax,
      double draftPricePer1kTokensUsd) {}

  /**
   * @param kMax largest draft length
   * @param mode default mode: auto (adaptive), fixed or off
   * @param fixedK k for fixed mode
   */
  public record Speculation(int kMax, String mode, int fixedK) {}

  /**
   * A verifier tier: one model behind one verifier backend, with its price.
   *
   * @param name the name requests use in {@code model}
   * @param verifier in-process or grpc
   * @param modelPath model directory (HF format) for in-process; the tokenizer for grpc
   * @param endpoints verifier servers (host:port) for grpc
   * @param pricePer1kTokensUsd price per 1,000 verifier positions scored
   * @param synthetic pacing of the synthetic backend (verifier: synthetic), else null
   * @param maxSessions most concurrent sessions of an in-process verifier
   * @param openai the OpenAI-compatible server (verifier: openai), else null
   */
  public record Tier(
      String name,
      String verifier,
      Path modelPath,
      List<String> endpoints,
      double pricePer1kTokensUsd,
      Synthetic synthetic,
      int maxSessions,
      OpenAi openai) {
    public Tier {
      endpoints = List.copyOf(endpoints);
    }
  }

  /**
   * The synthetic backend: no model, each verifier call takes {@code paceMs}, each draft token is
   * right with probability {@code alpha}. For measuring the router itself.
   */
  public record Synthetic(double paceMs, double alpha) {}

  /**
   * A vLLM-style OpenAI-compatible server used as the verifier: exact for greedy requests,
   * approximate for temperature > 0 (only the top-N logprobs come back).
   *
   * @param baseUrl server root, e.g. {@code http://gpu-box:8000}
   * @param servedModel the model name the server serves
   * @param topN logprobs per position, 1..1024
   * @param logprobsMode prompt_logprobs (vLLM) or echo
   * @param apiKeyEnv environment variable holding the API key, or null
   */
  public record OpenAi(
      String baseUrl, String servedModel, int topN, String logprobsMode, String apiKeyEnv) {}
}
