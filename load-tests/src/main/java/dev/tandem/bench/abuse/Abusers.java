package dev.tandem.bench.abuse;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The abusive clients of {@link AbuseBenchmark}, each a loop on virtual threads until stopped (all
 * of them, or the kinds asked for): 200 slowloris connections (a header byte every 100 ms), a flood
 * of connections opened and dropped, two HTTP/2 rapid-reset floods (HEADERS + RST_STREAM until
 * GOAWAY, again), two senders of bodies over the limit, one of bodies that are not UTF-8, and 32
 * gRPC streams that never read. Counts what the router answered them.
 */
final class Abusers {

  /** The kinds of abuse, each alone with {@code --only}. */
  enum Kind {
    SLOWLORIS,
    FLOOD,
    RAPID_RESET,
    OVERSIZED,
    NOT_UTF8,
    NEVER_READ;

    /** {@code rapid-reset} and so on, as {@code --only} takes it. */
    String argument() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    static Kind of(String argument) {
      for (Kind kind : values()) {
        if (kind.argument().equals(argument)) {
          return kind;
        }
      }
      throw new IllegalArgumentException(
          "--only must be one of "
              + java.util.Arrays.stream(values()).map(Kind::argument).toList()
              + ", got "
              + argument);
    }
  }

  private final int port;
  private final java.util.Set<Kind> kinds;
  private final AtomicBoolean running = new AtomicBoolean();
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicLong slowlorisCut = new AtomicLong();
  private final AtomicLong floodConnections = new AtomicLong();
  private final AtomicLong goAways = new AtomicLong();
  private final AtomicLong tooLarge = new AtomicLong();
  private final AtomicLong badUtf8 = new AtomicLong();
  private ManagedChannel neverReading;

  /**
   * @param kinds the abusers to run (all of them, or one to see what it alone costs)
   */
  Abusers(int port, java.util.Set<Kind> kinds) {
    this.port = port;
    this.kinds = java.util.EnumSet.copyOf(kinds);
  }

  void start() {
    running.set(true);
    if (kinds.contains(Kind.SLOWLORIS)) {
      for (int i = 0; i < 200; i++) {
        loop(this::slowloris);
      }
    }
    if (kinds.contains(Kind.FLOOD)) {
      loop(this::flood);
      loop(this::flood);
    }
    if (kinds.contains(Kind.RAPID_RESET)) {
      loop(this::rapidReset);
      loop(this::rapidReset);
    }
    if (kinds.contains(Kind.OVERSIZED)) {
      loop(() -> answered(oversized(), 413, tooLarge));
      loop(() -> answered(oversized(), 413, tooLarge));
    }
    if (kinds.contains(Kind.NOT_UTF8)) {
      loop(() -> answered(notUtf8(), 400, badUtf8));
    }
    if (kinds.contains(Kind.NEVER_READ)) {
      neverReading =
          NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().directExecutor().build();
      for (int i = 0; i < 32; i++) {
        AbuseBenchmark.neverRead(neverReading);
      }
    }
  }

  void stop() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join(10_000);
    }
    if (neverReading != null) {
      neverReading.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  String summary() {
    return String.format(
        "slowloris connections cut off %d, flood connections %d, rapid-reset GOAWAYs %d,"
            + " 413s %d, 400s for non-UTF-8 %d, %d never-reading gRPC streams",
        slowlorisCut.get(),
        floodConnections.get(),
        goAways.get(),
        tooLarge.get(),
        badUtf8.get(),
        kinds.contains(Kind.NEVER_READ) ? 32 : 0);
  }

  private interface Step {
    void run() throws IOException, InterruptedException;
  }

  private void loop(Step step) {
    threads.add(
        Thread.ofVirtual()
            .start(
                () -> {
                  while (running.get()) {
                    try {
                      step.run();
                    } catch (IOException | InterruptedException e) {
                      // the router cut it off: go again
                    }
                  }
                }));
  }

  private Socket connect() throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(30_000);
    s.setTcpNoDelay(true);
    return s;
  }

  /** A keep-alive request answered, then the next head a byte per 100 ms until cut off. */
  private void slowloris() throws IOException, InterruptedException {
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      out.write(ascii("GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n"));
      readHead(s.getInputStream());
      byte[] head = ascii("GET /health/live HTTP/1.1\r\nHost: a\r\n" + "X-Slow: x\r\n".repeat(200));
      for (byte b : head) {
        if (!running.get()) {
          return;
        }
        out.write(b);
        Thread.sleep(100);
      }
    } catch (IOException cut) {
      slowlorisCut.incrementAndGet();
      throw cut;
    }
  }

  /** A connection opened and dropped at once, about a thousand a second per loop. */
  private void flood() throws IOException, InterruptedException {
    try (Socket s = connect()) {
      floodConnections.incrementAndGet();
    }
    Thread.sleep(1);
  }

  /** HEADERS + RST_STREAM pairs on one h2c connection until the router sends GOAWAY. */
  private void rapidReset() throws IOException {
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      out.write(ascii("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
      frame(out, 0x4, 0, 0, new byte[0]);
      ByteArrayOutputStream block = new ByteArrayOutputStream();
      for (String[] h :
          new String[][] {
            {":method", "POST"},
            {":scheme", "http"},
            {":path", "/tandem.v1.Generation/Generate"},
            {":authority", "localhost"},
            {"content-type", "application/grpc"}
          }) {
        block.write(0);
        block.write(h[0].length());
        block.writeBytes(ascii(h[0]));
        block.write(h[1].length());
        block.writeBytes(ascii(h[1]));
      }
      try {
        for (int i = 0; i < 1000 && running.get(); i++) {
          frame(out, 0x1, 0x4, 2 * i + 1, block.toByteArray());
          frame(out, 0x3, 0, 2 * i + 1, new byte[] {0, 0, 0, 8});
        }
        out.flush();
      } catch (IOException closed) {
        // the GOAWAY came while writing
      }
      InputStream in = s.getInputStream();
      byte[] header = new byte[9];
      while (in.readNBytes(header, 0, 9) == 9) {
        int length = ((header[0] & 0xff) << 16) | ((header[1] & 0xff) << 8) | (header[2] & 0xff);
        in.readNBytes(length);
        if (header[3] == 0x7) {
          goAways.incrementAndGet();
          return;
        }
      }
    }
  }

  private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload)
      throws IOException {
    int n = payload.length;
    out.write(
        new byte[] {
          (byte) (n >>> 16),
          (byte) (n >>> 8),
          (byte) n,
          (byte) type,
          (byte) flags,
          (byte) (stream >>> 24),
          (byte) (stream >>> 16),
          (byte) (stream >>> 8),
          (byte) stream
        });
    out.write(payload);
  }

  /** A 256 KiB JSON body (the synthetic router's limit is 64 KiB). */
  private static byte[] oversized() {
    return post(ascii("{\"prompt\":\"" + "x".repeat(256 * 1024) + "\"}"));
  }

  private static byte[] notUtf8() {
    byte[] json = ascii("{\"prompt\":\"ab__cd\",\"max_tokens\":1}");
    json[13] = (byte) 0xC3;
    json[14] = (byte) 0x28;
    return post(json);
  }

  private static byte[] post(byte[] json) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.writeBytes(
        ascii(
            "POST /v1/completions HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                + "Content-Length: "
                + json.length
                + "\r\n\r\n"));
    all.writeBytes(json);
    return all.toByteArray();
  }

  private void answered(byte[] request, int expected, AtomicLong count) throws IOException {
    try (Socket s = connect()) {
      s.getOutputStream().write(request);
      String head = readHead(s.getInputStream());
      if (head.startsWith("HTTP/1.1 " + expected)) {
        count.incrementAndGet();
      }
    }
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed");
      }
      head.append((char) b);
    }
    return head.toString();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
