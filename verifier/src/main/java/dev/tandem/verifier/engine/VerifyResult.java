package dev.tandem.verifier.engine;

import dev.tandem.speccore.Verdict;

/**
 * The answer to one verify.
 *
 * @param verdict accepted draft tokens and the next token
 * @param position positions now in the KV cache: previous position + 1 + accepted count (the next
 *     token is not in it yet)
 */
public record VerifyResult(Verdict verdict, int position) {}
