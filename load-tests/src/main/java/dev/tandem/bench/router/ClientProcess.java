package dev.tandem.bench.router;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The overhead benchmark's client in a JVM of its own, started from the same jar: the router's
 * pauses (GC, JIT, a busy event loop) are then the router's alone, and what the router process
 * spends per chunk is measured without the client's share. Both JVMs stamp times with {@link
 * System#nanoTime()}, which is CLOCK_MONOTONIC on Linux and so comparable across processes on one
 * machine: the router side logs each verdict's release ({@link ReleaseLog}), the client each
 * chunk's arrival, and the two are joined by (stream, chunk index) after the level.
 *
 * <p>Protocol over the child's stdin/stdout, one line each way per level: {@code run STREAMS STEPS
 * PACE_MS FILE}, answered by {@code done CPU_NANOS ALLOCATED_BYTES GC_PAUSES GC_MILLIS JIT_MILLIS}
 * (the child's own {@link JvmCounters} over the level) once the arrivals are in {@code FILE}: per
 * stream an int count (-1: the stream failed) and that many longs. The child's log goes to stderr,
 * which is the parent's.
 *
 * <p>The child collects garbage before each level and has a young generation large enough that a
 * level does not fill it, so its own pauses stay out of the figures (its counters say if one
 * happened anyway).
 *
 * <p>Threading: one caller at a time.
 */
final class ClientProcess implements ChunkClient {

  /** The child's heap: a level of 2,000 streams allocates a few hundred MB in the client. */
  private static final List<String> CHILD_JVM =
      List.of(
          "-Xms1536m",
          "-Xmx1536m",
          "-Xmn1g",
          "--enable-native-access=ALL-UNNAMED",
          "--sun-misc-unsafe-memory-access=allow");

  private final Process process;
  private final PrintWriter commands;
  private final BufferedReader answers;

  /** Starts the child, which opens {@code connections} HTTP/2 connections to the router. */
  ClientProcess(String host, int port, int connections) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(CHILD_JVM);
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            ClientProcess.class.getName(),
            host,
            Integer.toString(port),
            Integer.toString(connections)));
    try {
      process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the client JVM: " + command, e);
    }
    commands =
        new PrintWriter(
            new OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII), true);
    answers =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
  }

  @Override
  public Arrivals run(int streams, int steps, double paceMs) {
    try {
      Path file = Files.createTempFile("tandem-arrivals", ".bin");
      try {
        commands.printf("run %d %d %s %s%n", streams, steps, paceMs, file);
        String[] done = awaitDone();
        JvmCounters spent =
            new JvmCounters(
                Long.parseLong(done[1]),
                Long.parseLong(done[2]),
                Long.parseLong(done[3]),
                Long.parseLong(done[4]),
                Long.parseLong(done[5]));
        return new Arrivals(read(file, streams), Optional.of(spent));
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String[] awaitDone() throws IOException {
    for (String line; (line = answers.readLine()) != null; ) {
      if (line.startsWith("done ")) {
        return line.split(" ");
      }
    }
    throw new IllegalStateException(
        "the client JVM ended without an answer (exit " + process.exitValue() + ")");
  }

  private static long[][] read(Path file, int streams) throws IOException {
    try (DataInputStream in =
        new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
      long[][] arrivals = new long[streams][];
      for (int s = 0; s < streams; s++) {
        int n = in.readInt();
        if (n >= 0) {
          arrivals[s] = new long[n];
          for (int i = 0; i < n; i++) {
            arrivals[s][i] = in.readLong();
          }
        }
      }
      return arrivals;
    }
  }

  @Override
  public String where() {
    return "client in its own JVM";
  }

  @Override
  public void close() {
    commands.close(); // end of input: the child closes its connections and exits
    try {
      if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroy();
      }
    } catch (InterruptedException e) {
      process.destroy();
      Thread.currentThread().interrupt();
    }
  }

  /** The child: {@code HOST PORT CONNECTIONS}, then levels as read from stdin. */
  public static void main(String[] args) throws IOException {
    try (StreamFleet fleet =
            StreamFleet.plaintext(args[0], Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        BufferedReader in =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII))) {
      for (String line; (line = in.readLine()) != null; ) {
        String[] run = line.split(" ");
        System.gc(); // an empty young generation: the level should not need a collection
        JvmCounters before = JvmCounters.now();
        Arrivals arrivals =
            fleet.run(
                Integer.parseInt(run[1]), Integer.parseInt(run[2]), Double.parseDouble(run[3]));
        JvmCounters spent = JvmCounters.now().minus(before);
        write(Path.of(run[4]), arrivals.chunkNanos());
        System.out.printf(
            "done %d %d %d %d %d%n",
            spent.cpuNanos(),
            spent.allocatedBytes(),
            spent.gcPauses(),
            spent.gcPauseMillis(),
            spent.jitMillis());
        System.out.flush();
      }
    }
    System.exit(0);
  }

  private static void write(Path file, long[][] arrivals) throws IOException {
    try (DataOutputStream out =
        new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(file)))) {
      for (long[] stream : arrivals) {
        out.writeInt(stream == null ? -1 : stream.length);
        if (stream != null) {
          for (long at : stream) {
            out.writeLong(at);
          }
        }
      }
    }
  }
}
