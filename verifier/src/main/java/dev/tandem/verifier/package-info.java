/**
 * Verifier backends implementing {@code Verifier}, and the verifier server.
 *
 * <ul>
 *   <li>{@code engine}: {@link dev.tandem.verifier.engine.SessionEngine} hosts a model; one session
 *       = one sequence = one KV cache; continuous batching of concurrent sessions into one forward;
 *       session and KV limits; idle reaper.
 *   <li>{@link dev.tandem.verifier.InProcessVerifier}: the engine without the network (the router's
 *       embedded default).
 *   <li>{@code server}: {@link dev.tandem.verifier.server.VerifierServer} serves {@code
 *       tandem.v1.Verifier/Session} (one bidi stream per session) and {@code GET /health} on one
 *       port; the CLI runs it: {@code ./tandem verifier-server --model DIR --port 50061}.
 *   <li>{@code client}: {@link dev.tandem.verifier.client.GrpcVerifier}, the router side of remote
 *       servers (least-outstanding balancing, health checks, sessions pinned to their server).
 *   <li>{@code protocol}: the proto ↔ domain mappers, one per direction.
 * </ul>
 */
package dev.tandem.verifier;
