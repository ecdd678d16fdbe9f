package dev.tandem.router.redis;

import dev.tandem.router.config.TandemConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} for tests: started on a free loopback port in its own temporary
 * directory, with an append-only file synced on every write (so a killed server restarted in the
 * same directory has every acknowledged write), and killed and deleted by {@link #close}. Tests can
 * kill it (SIGKILL), restart it on the same port, or freeze it (SIGSTOP) to play a stalled server.
 *
 * <p>Fails with a message naming {@code apt-get install redis-server} when the binary is missing:
 * tests that need Redis never skip silently.
 *
 * <p>Threading: one test thread.
 */
public final class RedisServerProcess implements AutoCloseable {

  private static final Duration START_BOUND = Duration.ofSeconds(20);

  private final Path dir;
  private final int port;
  private final List<String> extraArgs;
  private Process process;

  private RedisServerProcess(Path dir, int port, List<String> extraArgs) {
    this.dir = dir;
    this.port = port;
    this.extraArgs = List.copyOf(extraArgs);
  }

  /** A fresh server; {@code extraArgs} are passed to redis-server as they are. */
  public static RedisServerProcess start(String... extraArgs) {
    try {
      RedisServerProcess server =
          new RedisServerProcess(
              Files.createTempDirectory("tandem-redis-"), freePort(), List.of(extraArgs));
      server.launch();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The redis-server binary, or an error that says how to install it. */
  public static String binary() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path candidate = Path.of(dir, "redis-server");
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    if (Files.isExecutable(Path.of("/usr/bin/redis-server"))) {
      return "/usr/bin/redis-server";
    }
    throw new IllegalStateException(
        "redis-server is not installed; these tests need a real one: apt-get install redis-server"
            + " (.ci/run installs it when missing)");
  }

  private void launch() throws IOException {
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            binary(),
            "--port",
            Integer.toString(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            dir.toString(),
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--protected-mode",
            "no",
            "--logfile",
            "redis.log"));
    command.addAll(extraArgs);
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("stdout.log").toFile())
            .start();
    long deadline = System.nanoTime() + START_BOUND.toNanos();
    while (!answersPing()) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "redis-server exited with " + process.exitValue() + ": " + log());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "redis-server did not answer PING within " + START_BOUND + ": " + log());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }

  private boolean answersPing() {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(1000);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] reply = new byte[7];
      int n = in.readNBytes(reply, 0, 7);
      String answer = new String(reply, 0, n, StandardCharsets.US_ASCII);
      return answer.equals("+PONG\r\n") || answer.startsWith("-NOAUTH"); // up, with a password
    } catch (IOException e) {
      return false;
    }
  }

  private String log() {
    try {
      Path log = dir.resolve("redis.log");
      String text = Files.exists(log) ? Files.readString(log) : "";
      text += Files.readString(dir.resolve("stdout.log"));
      return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:port}. */
  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  public Path dir() {
    return dir;
  }

  /** Standalone config for this server: {@code timeout}, {@code policy}, other keys default. */
  public TandemConfig.Redis config(Duration timeout, TandemConfig.RedisFailurePolicy policy) {
    return new TandemConfig.Redis(
        TandemConfig.RedisMode.STANDALONE,
        List.of(URI.create(url())),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        timeout,
        policy,
        "tandem",
        Duration.ofSeconds(30),
        Duration.ofMillis(50),
        400,
        8);
  }

  /** Kills the server with SIGKILL (no shutdown save) and waits until it is gone. */
  public void kill() {
    process.destroyForcibly();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("redis-server did not die within 10 s of SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Starts the server again on the same port and directory (its append-only file reloaded). */
  public void restart() {
    if (process.isAlive()) {
      throw new IllegalStateException("redis-server is still running");
    }
    try {
      launch();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Freezes the server (SIGSTOP): connections stay open and nothing is answered. */
  public void pause() {
    signal("-STOP");
  }

  /** Lets a frozen server run again (SIGCONT). */
  public void resume() {
    signal("-CONT");
  }

  private void signal(String signal) {
    try {
      Process kill =
          new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      resume(); // a frozen process cannot handle anything but SIGKILL; harmless otherwise
      kill();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A port nobody listens on now (for a second listener, e.g. --tls-port). */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
