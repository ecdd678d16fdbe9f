package dev.tandem.bench.router;

import dev.tandem.verifier.engine.EngineOptions;
import dev.tandem.verifier.server.VerifierServer;
import dev.tandem.verifier.server.VerifierServerOptions;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The remote profile's verifier server in a JVM of its own, on a CPU of its own: the child runs
 * pinned to the machine's last CPU and this JVM (router, relay, load client) to the others while
 * the child lives, so that the verifier's forwards, gRPC handling and collections share no core
 * with the router's, as on a machine of its own. With the server in the router's JVM on shared
 * cores (the profile's default), a verifier call also cost the router, relay and client CPU on the
 * cores the forwards needed, which a verifier's saturation signal cannot see and a remote verifier
 * would not have (BENCHMARKS.md, issue 14).
 *
 * <p>Needs {@code taskset} (util-linux) and at least 2 CPUs; says so otherwise. The child is the
 * same jar ({@link #main}): it loads the model, serves on a free loopback port, prints {@code port
 * N} and serves until its stdin closes.
 *
 * <p>Threading: construct and close from one thread.
 */
final class VerifierProcess implements AutoCloseable {

  private final Process process;
  private final int cpus;
  final int port;

  /** Starts the child on the last CPU and moves this JVM's threads to the others. */
  VerifierProcess(Path model, int maxSessions) {
    cpus = Runtime.getRuntime().availableProcessors();
    if (cpus < 2) {
      throw new IllegalStateException(
          "a verifier on its own CPU needs at least 2 CPUs, this machine has " + cpus);
    }
    List<String> command = new ArrayList<>();
    command.addAll(List.of("taskset", "-c", Integer.toString(cpus - 1)));
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(
        List.of(
            "--add-modules",
            "jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow",
            "-cp",
            System.getProperty("java.class.path"),
            VerifierProcess.class.getName(),
            model.toString(),
            Integer.toString(maxSessions)));
    try {
      process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the verifier JVM (is taskset installed?)", e);
    }
    try {
      port = awaitPort();
      pinSelf("0-" + (cpus - 2));
    } catch (RuntimeException e) {
      process.destroy();
      throw e;
    }
  }

  private int awaitPort() {
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith("port ")) {
          return Integer.parseInt(line.substring(5).trim());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException("the verifier JVM ended before serving (see its log above)");
  }

  /** Sets the CPUs of every thread of this JVM ({@code taskset -a -p}). */
  private static void pinSelf(String cpuList) {
    List<String> command =
        List.of("taskset", "-a", "-p", "-c", cpuList, Long.toString(ProcessHandle.current().pid()));
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (p.waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + p.exitValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run taskset", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Ends the child (closing its stdin) and gives this JVM all CPUs again. */
  @Override
  public void close() {
    try {
      process.getOutputStream().close();
      if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (IOException e) {
      process.destroy();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroy();
    } finally {
      pinSelf("0-" + (cpus - 1));
    }
  }

  /** The child: {@code MODEL_DIR MAX_SESSIONS}. */
  public static void main(String[] args) throws IOException {
    Vertx vertx = Vertx.vertx();
    VerifierServer server =
        VerifierServer.loading(
            Path.of(args[0]),
            VerifierServerOptions.DEFAULTS
                .withHost("127.0.0.1")
                .withPort(0)
                .withEngine(EngineOptions.DEFAULTS.withMaxSessions(Integer.parseInt(args[1]))));
    int port = server.start(vertx).await();
    System.out.println("port " + port);
    System.out.flush();
    while (System.in.read() >= 0) {
      // serve until the parent closes stdin (or dies)
    }
    server.close().await();
    vertx.close().await();
    System.exit(0); // the model runtime's threads must not hold the JVM
  }
}
