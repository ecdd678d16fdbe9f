package dev.tandem.loadtests;

import io.gatling.core.action.Action;
import io.gatling.core.structure.ScenarioContext;
import io.gatling.javaapi.core.ActionBuilder;

/**
 * The Java DSL's handle on {@link StreamingAction}: {@code exec(Tandem.sse(...))} in a scenario.
 */
final class StreamingActionBuilder implements ActionBuilder {

  private final String protocol;
  private final StreamingClient client;
  private final LoadSettings settings;
  private final RunTotals totals;

  StreamingActionBuilder(
      String protocol, StreamingClient client, LoadSettings settings, RunTotals totals) {
    this.protocol = protocol;
    this.client = client;
    this.settings = settings;
    this.totals = totals;
  }

  @Override
  public io.gatling.core.action.builder.ActionBuilder asScala() {
    return new io.gatling.core.action.builder.ActionBuilder() {
      @Override
      public Action build(ScenarioContext context, Action next) {
        return new StreamingAction(protocol, client, settings, totals, context, next);
      }
    };
  }
}
