package dev.tandem.router.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tandem serve} when it cannot serve: a bad setting exits 2 naming the key, a router that
 * cannot start (its port taken) exits 1 saying where and why, without a stack trace.
 */
class ServeCommandTest {

  private static final Path MODELS = Path.of("../fixtures/models").toAbsolutePath().normalize();

  @TempDir Path tmp;

  @Test
  void anUnknownTransportIsABadConfigurationNamingTheKey() throws Exception {
    Path config = tmp.resolve("tandem.yaml");
    Files.writeString(config, "server:\n  transport: io_uring\n");
    String err = CliRun.run(2, "serve", "--config", config.toString()).stderr();
    assertTrue(
        err.contains(
            "tandem serve: bad configuration: server.transport must be one of auto | epoll | nio,"
                + " got 'io_uring'"),
        err);
  }

  @Test
  void aPortInUseIsReportedWithTheAddressAndExitsOne() throws Exception {
    Path config = tmp.resolve("tandem.yaml");
    Files.writeString(
        config,
        "drafting: {model: "
            + MODELS.resolve("tandem-draft")
            + "}\n"
            + "default_tier: large\n"
            + "tiers:\n"
            + "  - name: large\n"
            + "    verifier: in-process\n"
            + "    model: "
            + MODELS.resolve("tandem-verifier")
            + "\n"
            + "    price_per_1k_tokens_usd: 0.002\n");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      String err =
          CliRun.run(1, "serve", "--config", config.toString(), "--port", "" + port).stderr();
      assertTrue(err.contains("tandem serve: cannot start on 127.0.0.1:" + port + ": "), err);
      assertTrue(err.contains("Address already in use"), err);
      assertFalse(err.contains("\tat "), "no stack trace: " + err);
    }
  }
}
