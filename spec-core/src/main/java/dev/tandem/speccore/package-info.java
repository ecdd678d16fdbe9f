/**
 * The speculative decoding algorithm with no I/O and no framework.
 *
 * <ul>
 *   <li>Data: {@link dev.tandem.speccore.SamplingParams}, {@link
 *       dev.tandem.speccore.SparseDistribution}, {@link dev.tandem.speccore.DraftBlock}, {@link
 *       dev.tandem.speccore.Verdict}.
 *   <li>Ports that adapters implement: {@link dev.tandem.speccore.DraftProposer} / {@link
 *       dev.tandem.speccore.DraftSession}, {@link dev.tandem.speccore.Verifier} / {@link
 *       dev.tandem.speccore.VerifierSession}, {@link dev.tandem.speccore.TokenSink}.
 *   <li>Exactness: {@link dev.tandem.speccore.SamplingTransform} (logits to p and q, the same way
 *       on both sides) and {@link dev.tandem.speccore.AcceptanceSampler} (greedy and exact
 *       stochastic acceptance).
 *   <li>Driving: {@link dev.tandem.speccore.SpeculationLoop} (one request, asynchronous, one step
 *       in flight).
 *   <li>Steering: {@link dev.tandem.speccore.SpeculationPolicy} (pure formulas), {@link
 *       dev.tandem.speccore.DraftLengthChooser} (fixed, off, {@link
 *       dev.tandem.speccore.AdaptiveDraftLength}), {@link dev.tandem.speccore.AcceptanceStats} and
 *       {@link dev.tandem.speccore.LatencyEstimator}.
 * </ul>
 *
 * <p>Records validate at construction and name the offending field. Every type used from more than
 * one thread states its threading contract.
 */
package dev.tandem.speccore;
