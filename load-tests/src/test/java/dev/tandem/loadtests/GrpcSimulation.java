package dev.tandem.loadtests;

import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * Users stream completions through gRPC {@code tandem.v1.Generation/Generate}: each picks the next
 * request of the mixed workload, streams it to the end over one shared HTTP/2 channel, and we
 * record how long they waited for the first token, between tokens, per token, and in all. At the
 * end the SLA is asserted. Settings: {@link LoadSettings}.
 *
 * <pre>
 * ./tandem loadtest grpc --profile closed --users 16 --duration 60s
 * </pre>
 */
public class GrpcSimulation extends Simulation {

  private final LoadSettings settings = LoadSettings.fromSystemProperties();
  private final WorkloadMix mix =
      WorkloadMix.load(WorkloadMix.fixturesDir(), settings.workloads(), 42);
  private final RunTotals totals = new RunTotals();
  private final GrpcStreamingClient client = new GrpcStreamingClient(settings.authority());

  private final ScenarioBuilder users =
      scenario("gRPC Generate streaming")
          .feed(mix.feeder())
          .exec(new StreamingActionBuilder("grpc", client, settings, totals));

  {
    setUp(Injection.of(settings, users)).assertions(Injection.sla("grpc", settings.sla()));
  }

  @Override
  public void before() {
    System.out.println("tandem loadtest grpc: " + settings.describe());
  }

  @Override
  public void after() {
    System.out.println("tandem loadtest " + totals.describe("grpc"));
    client.close();
  }
}
