package dev.tandem.verifier.engine;

/**
 * A session just opened.
 *
 * @param sessionId the engine's id for the session
 * @param firstToken the token chosen after the prompt (not in the KV cache yet)
 * @param position positions in the KV cache: the prompt length
 */
public record OpenResult(long sessionId, int firstToken, int position) {}
