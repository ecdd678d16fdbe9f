package dev.tandem.verifier.protocol;

import dev.tandem.speccore.DraftBlock;

/**
 * A validated {@code tandem.v1.Verify}.
 *
 * @param position the session's length the caller believes in
 * @param lastToken the token the verifier emitted last, scored first
 * @param draft the draft tokens with their draft distributions
 */
public record VerifyCommand(int position, int lastToken, DraftBlock draft) {}
