/**
 * Gatling simulations of Tandem (Gatling 3.15.1, Java DSL): {@link
 * dev.tandem.loadtests.SseSimulation} (OpenAI-compatible SSE) and {@link
 * dev.tandem.loadtests.GrpcSimulation} (gRPC Generate), over the fixtures' mixed workload, with
 * TTFT, inter-token latency, TPOT, end-to-end and goodput recorded as separate values and an SLA
 * asserted at the end. Run with {@code ./tandem loadtest sse|grpc}; never part of the test suite
 * (the suite only compiles them and tests their parts).
 */
package dev.tandem.loadtests;
