package dev.tandem.router.connections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tandem.router.config.TandemConfig.NetTransport;
import io.vertx.core.transport.Transport;
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
    assertEquals(NetTransport.EPOLL, NetTransports.parse(" Epoll ", "--transport"));
    assertEquals(NetTransport.AUTO, NetTransports.parse("auto", "--transport"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> NetTransports.parse("uring", "--transport"));
    assertEquals("--transport must be one of auto | epoll | nio, got 'uring'", e.getMessage());
  }

  @Test
  void theShippedNativeEpollLoadsOnLinuxOnTheCpusItIsBuiltFor() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch");
    assumeTrue(os.contains("linux") && Set.of("amd64", "x86_64", "aarch64").contains(arch));
    NetTransports.Choice auto = NetTransports.choose(NetTransport.AUTO, "server.transport");
    assertEquals("epoll", auto.description(), "the native jar for " + arch + " is missing");
    assertSame(Transport.EPOLL, auto.transport());
  }
}
