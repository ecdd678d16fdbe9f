package dev.tandem.bench.cache;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * A throwaway redis-server for the benchmark (loopback, free port, no persistence) and its command
 * counters ({@code INFO commandstats}), to count round trips per request.
 */
final class BenchRedis implements AutoCloseable {

  private final Process process;
  private final int port;

  private BenchRedis(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static BenchRedis start() throws IOException, InterruptedException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path dir = Files.createTempDirectory("tandem-bench-redis-");
    Process p =
        new ProcessBuilder(
                "redis-server",
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis.log").toFile())
            .start();
    BenchRedis redis = new BenchRedis(p, port);
    for (int i = 0; i < 2000; i++) {
      try {
        redis.info("server");
        return redis;
      } catch (IOException notYet) {
        Thread.sleep(10);
      }
    }
    redis.close();
    throw new IOException(
        "redis-server did not start (is it installed? apt-get install redis-server)");
  }

  String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Calls per command so far. */
  Map<String, Long> calls() throws IOException {
    Map<String, Long> calls = new TreeMap<>();
    for (String line : info("commandstats").split("\r\n")) {
      if (line.startsWith("cmdstat_")) {
        String name = line.substring(8, line.indexOf(':'));
        String rest = line.substring(line.indexOf("calls=") + 6);
        calls.put(name, Long.parseLong(rest.substring(0, rest.indexOf(','))));
      }
    }
    return calls;
  }

  private String info(String section) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(("INFO " + section + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder header = new StringBuilder();
      int c;
      while ((c = in.read()) != '\n') {
        if (c < 0) {
          throw new IOException("closed");
        }
        header.append((char) c);
      }
      int length = Integer.parseInt(header.toString().trim().substring(1));
      return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() {
    process.destroy();
  }
}
