/**
 * Verifier backends implementing {@code Verifier} (in-process, gRPC client, OpenAI-compatible) and
 * the verifier server that hosts a large model behind {@code tandem.v1.Verifier}.
 */
package dev.tandem.verifier;
