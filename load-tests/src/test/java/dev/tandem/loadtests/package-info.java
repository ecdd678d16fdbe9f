/**
 * Gatling load tests for Tandem: HTTP/SSE and gRPC simulations that read like user stories with
 * their SLA assertions at the bottom, plus the benchmark harness that writes {@code
 * BENCHMARKS.md}-style reports. Run with {@code mvn gatling:test -pl load-tests}; never part of the
 * unit test suite.
 */
package dev.tandem.loadtests;
