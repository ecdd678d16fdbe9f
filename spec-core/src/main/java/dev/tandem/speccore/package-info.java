/**
 * The speculative decoding algorithm with no I/O and no framework: token and sampling records,
 * {@code DraftProposer}, {@code Verifier}, {@code AcceptanceSampler}, {@code SpeculationLoop},
 * {@code SpeculationPolicy} and acceptance statistics.
 */
package dev.tandem.speccore;
