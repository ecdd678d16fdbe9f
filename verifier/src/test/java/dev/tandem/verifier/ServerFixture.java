package dev.tandem.verifier;

import dev.tandem.model.Model;
import dev.tandem.verifier.engine.EngineOptions;
import dev.tandem.verifier.engine.ModelScoring;
import dev.tandem.verifier.engine.ScoringModel;
import dev.tandem.verifier.engine.SessionEngine;
import dev.tandem.verifier.server.VerifierServer;
import dev.tandem.verifier.server.VerifierServerOptions;
import io.vertx.core.Vertx;
import java.util.function.IntSupplier;

/** A real verifier server on a loopback port over an already loaded model. */
final class ServerFixture implements AutoCloseable {

  final VerifierServer server;
  final int port;

  ServerFixture(Vertx vertx, Model model, EngineOptions engine) {
    this(vertx, new ModelScoring("tiny", model), engine);
  }

  ServerFixture(Vertx vertx, ScoringModel scoring, EngineOptions engine) {
    SessionEngine sessions = new SessionEngine(scoring, engine);
    VerifierServerOptions options =
        VerifierServerOptions.DEFAULTS.withHost("127.0.0.1").withPort(0).withEngine(engine);
    server = new VerifierServer(sessions, options);
    port = server.start(vertx).await();
  }

  String endpoint() {
    return "127.0.0.1:" + port;
  }

  int openSessions() {
    return server.engine().openSessions();
  }

  /** Waits (up to 5 s) until the server holds no session; returns what it holds then. */
  int awaitNoSessions() throws InterruptedException {
    return awaitZero(this::openSessions);
  }

  static int awaitZero(IntSupplier count) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (count.getAsInt() != 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    return count.getAsInt();
  }

  @Override
  public void close() {
    server.close().await();
  }
}
