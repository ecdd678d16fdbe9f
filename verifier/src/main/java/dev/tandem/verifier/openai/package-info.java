/**
 * {@link dev.tandem.verifier.openai.OpenAiCompatibleVerifier}: the verifier backend for an existing
 * OpenAI-compatible server (vLLM-style {@code /v1/completions} with token-id prompts, {@code
 * prompt_logprobs} or {@code echo} + {@code logprobs}, {@code return_tokens_as_token_ids}). Exact
 * for greedy decoding; approximate for temperature &gt; 0 (top-N truncated target).
 *
 * <ul>
 *   <li>{@link dev.tandem.verifier.openai.OpenAiVerifierOptions}: base URL, model, top-N, timeout,
 *       API key, {@link dev.tandem.verifier.openai.LogprobsMode}.
 *   <li>{@code CompletionsClient}: one HTTP call per step; {@code CompletionResponseParser}: the
 *       response's logprobs, or a {@link dev.tandem.verifier.openai.BackendResponseException}.
 *   <li>{@code TruncatedAcceptance}: acceptance over top-N rows; {@code OpenAiSession}: the token
 *       ids of one sequence, kept client-side.
 * </ul>
 */
package dev.tandem.verifier.openai;
