package dev.tandem.loadtests;

import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * Users stream completions from the OpenAI-compatible API over SSE: each picks the next request of
 * the mixed workload (code, prose, repetitive, chat), streams it to the end, and we record how long
 * they waited for the first token, between tokens, per token, and in all. At the end the SLA is
 * asserted. Settings: {@link LoadSettings} ({@code -Dtandem.rate=20 -Dtandem.duration=60 ...}).
 *
 * <pre>
 * ./tandem loadtest sse --rate 20 --duration 60s
 * </pre>
 */
public class SseSimulation extends Simulation {

  private final LoadSettings settings = LoadSettings.fromSystemProperties();
  private final WorkloadMix mix =
      WorkloadMix.load(WorkloadMix.fixturesDir(), settings.workloads(), 42);
  private final RunTotals totals = new RunTotals();
  private final SseStreamingClient client = new SseStreamingClient(settings.target(), 4096);

  private final ScenarioBuilder users =
      scenario("OpenAI-compatible streaming over SSE")
          .feed(mix.feeder())
          .exec(new StreamingActionBuilder("sse", client, settings, totals));

  {
    setUp(Injection.of(settings, users)).assertions(Injection.sla("sse", settings.sla()));
  }

  @Override
  public void before() {
    System.out.println("tandem loadtest sse: " + settings.describe());
  }

  @Override
  public void after() {
    System.out.println("tandem loadtest " + totals.describe("sse"));
    client.close();
  }
}
