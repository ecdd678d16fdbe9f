package dev.tandem.loadtests;

import com.typesafe.scalalogging.Logger;
import io.gatling.commons.stats.KO$;
import io.gatling.commons.stats.OK$;
import io.gatling.commons.stats.Status;
import io.gatling.commons.util.Clock;
import io.gatling.core.action.Action;
import io.gatling.core.session.Session;
import io.gatling.core.stats.StatsEngine;
import io.gatling.core.structure.ScenarioContext;
import java.util.Locale;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * A non-blocking Gatling action that runs one streamed completion and records what users wait for
 * as separate measured values in the report: {@code <protocol> TTFT}, one {@code <protocol> ITL}
 * per gap between token events, {@code <protocol> TPOT}, {@code <protocol> end-to-end}, and {@code
 * <protocol> goodput} (OK when the request met both SLOs). Gatling's own SSE support stops timing
 * when the stream opens, and there is no Gatling gRPC plugin here, so both protocols go through
 * this action with a client of their own ({@link StreamingClient}).
 *
 * <p>It is written against Gatling's internal action API (pinned version 3.15.1): {@link #execute}
 * starts the request and returns at once; the client's callbacks log the timings to the {@link
 * StatsEngine} and hand the virtual user back to its own event loop ({@link Session#eventLoop()}).
 *
 * <p>Threading: {@link #execute} runs on the user's Gatling event loop; callbacks on the client's
 * threads; the next action is always called on the user's event loop.
 */
final class StreamingAction implements Action {

  private static final Logger LOG = Logger.apply(LoggerFactory.getLogger(StreamingAction.class));

  private final String protocol;
  private final StreamingClient client;
  private final LoadSettings settings;
  private final RunTotals totals;
  private final StatsEngine stats;
  private final Clock clock;
  private final Action next;

  StreamingAction(
      String protocol,
      StreamingClient client,
      LoadSettings settings,
      RunTotals totals,
      ScenarioContext context,
      Action next) {
    this.protocol = protocol;
    this.client = client;
    this.settings = settings;
    this.totals = totals;
    this.stats = context.coreComponents().statsEngine();
    this.clock = context.coreComponents().clock();
    this.next = next;
  }

  @Override
  public String name() {
    return protocol + "-generate";
  }

  @Override
  public Logger logger() {
    return LOG;
  }

  @Override
  public void com$typesafe$scalalogging$StrictLogging$_setter_$logger_$eq(Logger logger) {
    // the logger is a constant of this class
  }

  @Override
  public void execute(Session session) {
    Object attribute = new io.gatling.javaapi.core.Session(session).get(WorkloadMix.KEY);
    if (!(attribute instanceof WorkloadMix.Request request)) {
      stats.logRequestCrash(
          session.scenario(),
          session.groups(),
          protocol + " end-to-end",
          "no '" + WorkloadMix.KEY + "' attribute: feed the workload mix before this action");
      next.$bang(session.markAsFailed());
      return;
    }
    long startMillis = clock.nowMillis();
    StreamTimings timings = new StreamTimings(System.nanoTime());
    client.stream(
        request,
        settings.maxTokens(),
        timings,
        error -> session.eventLoop().execute(() -> done(session, timings, startMillis, error)));
  }

  /** On the user's event loop: logs the stream's timings and moves the user on. */
  private void done(Session session, StreamTimings t, long startMillis, String error) {
    String scenario = session.scenario();
    var groups = session.groups();
    long endMillis = at(t, startMillis, t.endNanos());
    // An empty answer (the first token was the end of sequence) is a success, with no TTFT.
    boolean ok = error == null && (t.sawTokens() || t.reportedEmpty());
    String failure = error != null ? error : "the stream ended without a token or a usage count";
    if (t.sawTokens()) {
      log(scenario, groups, "TTFT", startMillis, at(t, startMillis, t.firstTokenNanos()), null);
      long[] gaps = t.interTokenNanos();
      for (int i = 0; i < gaps.length; i++) {
        log(
            scenario,
            groups,
            "ITL",
            at(t, startMillis, t.eventNanos(i)),
            at(t, startMillis, t.eventNanos(i + 1)),
            null);
      }
      if (ok && t.tokens() > 1) {
        long first = at(t, startMillis, t.firstTokenNanos());
        log(scenario, groups, "TPOT", first, first + Math.round(t.tpotNanos() / 1e6), null);
      }
    }
    log(scenario, groups, "end-to-end", startMillis, endMillis, ok ? null : failure);
    log(scenario, groups, "goodput", startMillis, endMillis, ok ? missedSlo(t) : failure);
    totals.add(ok ? t.tokens() : 0, ok);
    next.$bang(ok ? session : session.markAsFailed());
  }

  /** Why the request is not goodput, or null when it met both SLOs. */
  private String missedSlo(StreamTimings t) {
    LoadSettings.Sla sla = settings.sla();
    // An empty answer's wait for its "first token" is the whole response.
    double ttft = (t.sawTokens() ? t.ttftNanos() : t.endToEndNanos()) / 1e6;
    double tpot = t.tpotNanos() / 1e6;
    if (ttft > sla.sloTtftMillis()) {
      return String.format(Locale.ROOT, "TTFT above the SLO of %d ms", sla.sloTtftMillis());
    }
    if (tpot > sla.sloTpotMillis()) {
      return String.format(Locale.ROOT, "TPOT above the SLO of %d ms", sla.sloTpotMillis());
    }
    return null;
  }

  private void log(
      String scenario,
      scala.collection.immutable.List<String> groups,
      String measure,
      long startMillis,
      long endMillis,
      String failure) {
    Status status = failure == null ? OK$.MODULE$ : KO$.MODULE$;
    stats.logResponse(
        scenario,
        groups,
        protocol + " " + measure,
        startMillis,
        endMillis,
        status,
        Option.empty(),
        Option.apply(failure));
  }

  /** The epoch milliseconds of a nanoTime stamp of this stream. */
  private static long at(StreamTimings t, long startMillis, long nanos) {
    return startMillis + Math.round((nanos - t.startNanos()) / 1e6);
  }
}
