/**
 * The transformer runtime: a LLaMA-family forward pass written once against a small kernel
 * interface with ND4J and Java Vector API backends, Hugging Face format loading, a KV cache with
 * rollback, and samplers. Model work runs on the runtime's own executor, never on an event loop.
 */
package dev.tandem.model;
