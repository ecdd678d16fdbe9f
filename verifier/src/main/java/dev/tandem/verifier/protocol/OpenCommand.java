package dev.tandem.verifier.protocol;

import dev.tandem.speccore.SamplingParams;

/**
 * A validated {@code tandem.v1.Open}.
 *
 * @param model requested model id; empty means the server's default
 * @param prompt prompt token ids, at least one
 * @param params sampling parameters
 * @param maxLength most positions the session will hold; 0 means the model's context length
 */
public record OpenCommand(String model, int[] prompt, SamplingParams params, int maxLength) {}
