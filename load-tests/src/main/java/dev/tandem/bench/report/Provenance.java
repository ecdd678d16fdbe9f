package dev.tandem.bench.report;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;

/** Where and when a figure was measured: the line printed under every table of the report. */
public record Provenance(String machine, String date, String commit) {

  public static Provenance here(Path repository) {
    return new Provenance(describeMachine(), now(), currentCommit(repository));
  }

  /** The line under a table, with the load average at the moment it was written. */
  public String line() {
    return "Machine: "
        + machine
        + "; "
        + now()
        + "; commit "
        + commit
        + "; load average "
        + loadAverage()
        + ".";
  }

  private static String now() {
    return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
        .withZone(ZoneOffset.UTC)
        .format(Instant.now());
  }

  private static String describeMachine() {
    String cpu = "unknown CPU";
    try {
      cpu =
          Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
              .filter(l -> l.startsWith("model name"))
              .map(l -> l.substring(l.indexOf(':') + 1).trim())
              .findFirst()
              .orElse(cpu);
    } catch (IOException e) {
      // not Linux: the JVM's view below still names the machine
    }
    long memGiB =
        ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize()
            >> 30;
    return String.format(
        "%d vCPU (%s), %d GiB, Java %s",
        Runtime.getRuntime().availableProcessors(),
        cpu,
        memGiB,
        System.getProperty("java.version"));
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return String.format(
          "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }

  private static String currentCommit(Path repository) {
    try {
      Process git =
          new ProcessBuilder("git", "-C", repository.toString(), "rev-parse", "--short", "HEAD")
              .redirectErrorStream(true)
              .start();
      String out = new String(git.getInputStream().readAllBytes()).trim();
      boolean done = git.waitFor(10, TimeUnit.SECONDS);
      return done && git.exitValue() == 0 ? out : "unknown";
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }
}
