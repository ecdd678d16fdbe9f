package dev.tandem.router.connections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tandem.router.config.ConfigReader;
import dev.tandem.router.config.TandemConfig.NetTransport;
import io.vertx.core.transport.Transport;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NetTransportsTest {

  /** A native transport that loads, or does not, as the test says. */
  private record FakeEpoll(boolean available, Throwable unavailabilityCause) implements Transport {
    @Override
    public String name() {
      return "epoll";
    }

    @Override
    public io.vertx.core.spi.transport.Transport implementation() {
      throw new UnsupportedOperationException("not built on");
    }
  }

  private static final FakeEpoll LOADS = new FakeEpoll(true, null);
  private static final FakeEpoll MISSING =
      new FakeEpoll(
          false,
          new IllegalStateException(
              "wrapper", new UnsatisfiedLinkError("no netty_transport_native_epoll_aarch_64")));

  @Test
  void autoTakesEpollWhereItLoadsAndNioWithTheReasonElsewhere() {
    NetTransports.Choice there = NetTransports.choose(NetTransport.AUTO, LOADS, "server.transport");
    assertSame(LOADS, there.transport());
    assertEquals("epoll", there.description());
    NetTransports.Choice elsewhere =
        NetTransports.choose(NetTransport.AUTO, MISSING, "server.transport");
    assertSame(Transport.NIO, elsewhere.transport());
    assertEquals(
        "nio (epoll does not load here: java.lang.UnsatisfiedLinkError: "
            + "no netty_transport_native_epoll_aarch_64)",
        elsewhere.description());
  }

  @Test
  void epollWhereItDoesNotLoadIsAnErrorNamingTheSetting() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> NetTransports.choose(NetTransport.EPOLL, MISSING, "--transport"));
    assertTrue(e.getMessage().startsWith("--transport is epoll, but"), e.getMessage());
    assertTrue(e.getMessage().contains("UnsatisfiedLinkError"), e.getMessage());
    assertTrue(e.getMessage().endsWith("use auto or nio"), e.getMessage());
    assertSame(LOADS, NetTransports.choose(NetTransport.EPOLL, LOADS, "x").transport());
  }

  @Test
  void nioIsNioWhateverLoads() {
    assertSame(Transport.NIO, NetTransports.choose(NetTransport.NIO, LOADS, "x").transport());
    assertEquals("nio", NetTransports.choose(NetTransport.NIO, MISSING, "x").description());
  }

  @Test
  void settingsAreParsedInAnyCaseAndAnythingElseIsRefusedWithTheAllowedValues() {
    assertEquals(
        NetTransport.EPOLL, ConfigReader.oneOf("--transport", NetTransport.class, " Epoll "));
    assertEquals(NetTransport.AUTO, ConfigReader.oneOf("--transport", NetTransport.class, "auto"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ConfigReader.oneOf("--transport", NetTransport.class, "uring"));
    assertEquals("--transport must be one of auto | epoll | nio, got 'uring'", e.getMessage());
  }

  @Test
  void theNativeEpollLibraryShipsForLinuxOnX86AndArmAndAutoTakesItWhereItLoads() {
    for (String arch : List.of("x86_64", "aarch_64")) {
      String library = "META-INF/native/libnetty_transport_native_epoll_" + arch + ".so";
      assertNotNull(
          NetTransports.class.getClassLoader().getResource(library),
          library + " is missing from the class path: the router would serve over NIO there");
    }
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    assumeTrue(os.contains("linux") && Set.of("amd64", "aarch64").contains(arch()));
    // Where it ships but does not load (a temp directory mounted noexec, say), auto falls to NIO.
    assumeTrue(Transport.EPOLL.available(), () -> "" + Transport.EPOLL.unavailabilityCause());
    NetTransports.Choice auto = NetTransports.choose(NetTransport.AUTO, "server.transport");
    assertEquals("epoll", auto.description());
    assertSame(Transport.EPOLL, auto.transport());
  }

  private static String arch() {
    return System.getProperty("os.arch");
  }
}
