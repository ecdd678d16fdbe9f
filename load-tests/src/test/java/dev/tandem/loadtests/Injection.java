package dev.tandem.loadtests;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.stressPeakUsers;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import java.time.Duration;
import java.util.List;

/** The injection profiles and the SLA assertions, from {@link LoadSettings}. */
final class Injection {

  private Injection() {}

  /** How users arrive, per {@link LoadSettings.Profile}. */
  static PopulationBuilder of(LoadSettings s, ScenarioBuilder scenario) {
    Duration d = s.duration();
    return switch (s.profile()) {
      case CONSTANT -> scenario.injectOpen(constantUsersPerSec(s.rate()).during(d));
      case RAMP -> scenario.injectOpen(rampUsersPerSec(1).to(s.rate()).during(d));
      case SPIKE -> {
        Duration calm = d.minusSeconds(2).dividedBy(2);
        yield scenario.injectOpen(
            constantUsersPerSec(s.rate() / 4).during(calm),
            stressPeakUsers((int) Math.ceil(s.rate() * 5)).during(Duration.ofSeconds(2)),
            constantUsersPerSec(s.rate() / 4).during(calm));
      }
      case CLOSED -> scenario.injectClosed(constantConcurrentUsers(s.users()).during(d));
    };
  }

  /**
   * The SLA, checked when the run ends: p99 TTFT, p99 inter-token latency, the error rate, and the
   * share of requests that met both SLOs (goodput). A failed one fails the run, naming it.
   */
  static List<Assertion> sla(String protocol, LoadSettings.Sla sla) {
    return List.of(
        details(protocol + " TTFT").responseTime().percentile(99.0).lt(sla.ttftP99Millis()),
        details(protocol + " ITL").responseTime().percentile(99.0).lt(sla.itlP99Millis()),
        details(protocol + " end-to-end").failedRequests().percent().lt(sla.maxErrorPercent()),
        details(protocol + " goodput").successfulRequests().percent().gte(sla.minGoodputPercent()));
  }
}
