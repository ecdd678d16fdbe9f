/**
 * From accepted tokens to what a client reads: incremental UTF-8-safe detokenizer, stop sequences,
 * chunk coalescing, flow control, cancellation and deadlines.
 */
package dev.tandem.streaming;
