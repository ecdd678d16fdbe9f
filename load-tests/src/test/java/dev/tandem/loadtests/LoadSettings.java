package dev.tandem.loadtests;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * What a simulation runs, read once from system properties ({@code -Dtandem.rate=20}); every value
 * is checked and a bad one is rejected with the property's name and its allowed range. The defaults
 * finish in about a minute against {@code ./tandem serve} on a small machine.
 *
 * @param target the router's base URL (gRPC and HTTP share its port)
 * @param profile how users arrive ({@link Profile})
 * @param rate arrivals per second for the open profiles (the peak for {@code ramp})
 * @param users concurrent users for {@code closed}
 * @param duration how long users keep arriving
 * @param workloads the fixtures' workload files to mix ({@code fixtures/workloads/<name>.jsonl})
 * @param maxTokens caps each request's max_tokens (0 keeps the workload's)
 * @param sla the thresholds asserted at the end
 */
record LoadSettings(
    String target,
    Profile profile,
    double rate,
    int users,
    Duration duration,
    List<String> workloads,
    int maxTokens,
    Sla sla) {

  /** How users arrive. */
  enum Profile {
    /** {@code rate} new users per second for the whole duration (open model). */
    CONSTANT,
    /** From 1 user per second up to {@code rate} over the duration (open model). */
    RAMP,
    /** A quarter of {@code rate} steadily, with a burst of {@code rate × 5} users in 2 s midway. */
    SPIKE,
    /** {@code users} concurrent users, each starting a new request when its last ends. */
    CLOSED
  }

  /**
   * End-of-run assertions; a failed one fails the run.
   *
   * @param ttftP99Millis p99 time to first token must be below this
   * @param itlP99Millis p99 inter-token latency (gap between stream events) must be below this
   * @param maxErrorPercent failed requests must stay below this percentage
   * @param minGoodputPercent at least this percentage of requests must meet both SLOs
   * @param sloTtftMillis a request counts as goodput only with TTFT at most this
   * @param sloTpotMillis and time per output token at most this
   */
  record Sla(
      int ttftP99Millis,
      int itlP99Millis,
      double maxErrorPercent,
      double minGoodputPercent,
      int sloTtftMillis,
      int sloTpotMillis) {}

  static final List<String> WORKLOADS = List.of("code", "prose", "repetitive", "chat");

  static LoadSettings fromSystemProperties() {
    return from(System.getProperties());
  }

  static LoadSettings from(Properties p) {
    Reader r = new Reader(p);
    String target = r.string("tandem.target", "http://127.0.0.1:8080");
    if (!target.matches("https?://[^/:]+(:\\d+)?/?")) {
      throw new IllegalArgumentException(
          "tandem.target must look like http://host:port, got " + target);
    }
    String profileName = r.string("tandem.profile", "constant");
    Profile profile;
    try {
      profile = Profile.valueOf(profileName.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "tandem.profile must be one of constant, ramp, spike, closed, got " + profileName, e);
    }
    List<String> workloads =
        List.of(r.string("tandem.workloads", String.join(",", WORKLOADS)).split(","));
    for (String w : workloads) {
      if (!WORKLOADS.contains(w.trim())) {
        throw new IllegalArgumentException(
            "tandem.workloads must be a comma-separated subset of " + WORKLOADS + ", got " + w);
      }
    }
    return new LoadSettings(
        target.replaceAll("/$", ""),
        profile,
        r.decimal("tandem.rate", 2, 0.1, 10_000),
        (int) r.decimal("tandem.users", 8, 1, 100_000),
        Duration.ofSeconds((long) r.decimal("tandem.duration", 60, 1, 86_400)),
        workloads.stream().map(String::trim).toList(),
        (int) r.decimal("tandem.maxTokens", 0, 0, 8192),
        new Sla(
            (int) r.decimal("tandem.sla.ttftP99Ms", 1000, 1, 600_000),
            (int) r.decimal("tandem.sla.itlP99Ms", 200, 1, 600_000),
            r.decimal("tandem.sla.maxErrorPercent", 0.1, 0, 100),
            r.decimal("tandem.sla.minGoodputPercent", 90, 0, 100),
            (int) r.decimal("tandem.slo.ttftMs", 500, 1, 600_000),
            (int) r.decimal("tandem.slo.tpotMs", 50, 1, 600_000)));
  }

  /** host:port of the target, for the gRPC channel. */
  String authority() {
    return target.replaceFirst("^https?://", "");
  }

  /** The settings in one line, for the run's log. */
  String describe() {
    return String.format(
        Locale.ROOT,
        "target=%s profile=%s rate=%.1f/s users=%d duration=%ds workloads=%s sla=%s",
        target,
        profile.name().toLowerCase(Locale.ROOT),
        rate,
        users,
        duration.toSeconds(),
        workloads,
        sla);
  }

  private record Reader(Properties p) {
    String string(String key, String fallback) {
      String v = p.getProperty(key);
      return v == null || v.isBlank() ? fallback : v.trim();
    }

    double decimal(String key, double fallback, double min, double max) {
      String v = p.getProperty(key);
      if (v == null || v.isBlank()) {
        return fallback;
      }
      double value;
      try {
        value = Double.parseDouble(v.trim().replaceAll("s$", ""));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key + " must be a number, got " + v, e);
      }
      if (!(value >= min && value <= max)) {
        throw new IllegalArgumentException(
            key + " must be in " + fmt(min) + ".." + fmt(max) + ", got " + v);
      }
      return value;
    }

    private static String fmt(double d) {
      return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
  }
}
