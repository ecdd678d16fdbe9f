package dev.tandem.verifier.protocol;

import dev.tandem.speccore.SamplingParams;

/**
 * A validated {@code tandem.v1.Open}.
 *
 * @param model requested model id; empty means the server's default
 * @param prompt prompt token ids, at least one
 * @param params sampling parameters
 * @param maxLength most positions the session will hold; 0 means the model's context length
 * @param resume true when {@code prompt} continues a sequence (prompt + emitted tokens, the last
 *     not yet scored): nothing is chosen, the session resumes at {@code prompt.length - 1}
 */
public record OpenCommand(
    String model, int[] prompt, SamplingParams params, int maxLength, boolean resume) {}
