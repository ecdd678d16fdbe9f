package dev.tandem.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.model.Model;
import dev.tandem.model.ModelRuntime;
import dev.tandem.proto.v1.Open;
import dev.tandem.proto.v1.Sampling;
import dev.tandem.proto.v1.VerifierRequest;
import dev.tandem.proto.v1.VerifierResponse;
import dev.tandem.proto.v1.Verify;
import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.VerifierException;
import dev.tandem.speccore.VerifierSession;
import dev.tandem.verifier.client.GrpcVerifier;
import dev.tandem.verifier.client.GrpcVerifierOptions;
import dev.tandem.verifier.client.VerifierUnavailableException;
import dev.tandem.verifier.engine.EngineOptions;
import dev.tandem.verifier.engine.ModelScoring;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Given a misbehaving or departing client or server, expect the stated status and no session left
 * behind. Raw streams go through grpc-java, an independent client.
 */
class GrpcServerFailureTest {

  private static Vertx vertx;
  private static ModelRuntime runtime;
  private static Model model;
  private ServerFixture server;
  private HeldScoring scoring;
  private ManagedChannel channel;

  @BeforeAll
  static void load() {
    vertx = Vertx.vertx();
    runtime = new ModelRuntime(1);
    model = TestModels.load(runtime, TestModels.VERIFIER);
  }

  @AfterAll
  static void unload() {
    vertx.close().await();
    model.close();
    runtime.close();
  }

  private void start(EngineOptions engine) {
    scoring = new HeldScoring(new ModelScoring("tiny", model));
    server = new ServerFixture(vertx, scoring, engine);
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port)
            .usePlaintext()
            .directExecutor()
            .build();
  }

  @AfterEach
  void stop() {
    if (scoring != null) {
      scoring.release();
    }
    if (channel != null) {
      channel.shutdownNow();
    }
    if (server != null) {
      server.close();
    }
  }

  private static VerifierRequest open(int[] prompt, int maxLength) {
    Open.Builder open =
        Open.newBuilder()
            .setModel("tiny")
            .setSampling(Sampling.newBuilder().setTemperature(0f))
            .setMaxLength(maxLength);
    for (int token : prompt) {
      open.addPromptTokens(token);
    }
    return VerifierRequest.newBuilder().setOpen(open).build();
  }

  private static VerifierRequest verify(int position, int lastToken, int... draft) {
    Verify.Builder verify = Verify.newBuilder().setPosition(position).setLastToken(lastToken);
    for (int token : draft) {
      verify.addDraftTokens(token);
    }
    return VerifierRequest.newBuilder().setVerify(verify).build();
  }

  /** A raw session that sent Open and got Opened (position 3, prompt [5, 6, 7]). */
  private RawSession opened(long deadlineMs, int[] firstToken) throws InterruptedException {
    RawSession session = new RawSession(channel, deadlineMs).send(open(new int[] {5, 6, 7}, 32));
    VerifierResponse response = session.next();
    assertTrue(response.hasOpened(), "expected opened, got " + response);
    assertEquals(3, response.getOpened().getPosition());
    firstToken[0] = response.getOpened().getFirstToken();
    return session;
  }

  private static void assertStatus(Status.Code code, String messagePart, Status status) {
    assertEquals(code, status.getCode(), "status " + status);
    assertTrue(
        status.getDescription() != null && status.getDescription().contains(messagePart),
        "message should mention '" + messagePart + "': " + status);
  }

  @Test
  void verifyAndCloseEndTheStreamWithOk() throws Exception {
    start(EngineOptions.DEFAULTS);
    int[] first = new int[1];
    RawSession session = opened(0, first);
    VerifierResponse verdict = session.send(verify(3, first[0])).next();
    assertEquals(4, verdict.getVerdict().getPosition());
    session.send(
        VerifierRequest.newBuilder()
            .setClose(dev.tandem.proto.v1.Close.getDefaultInstance())
            .build());
    assertEquals(Status.Code.OK, session.status().getCode());
    assertEquals(0, server.awaitNoSessions());
  }

  @Test
  void aVerifyAtTheWrongPositionIsFailedPreconditionAndFreesTheSession() throws Exception {
    start(EngineOptions.DEFAULTS);
    int[] first = new int[1];
    RawSession session = opened(0, first);
    assertEquals(1, server.openSessions());
    session.send(verify(4, first[0], 1, 2));
    assertStatus(Status.Code.FAILED_PRECONDITION, "position", session.status());
    assertEquals(0, server.awaitNoSessions());
  }

  @Test
  void aVerifyWithTheWrongLastTokenIsFailedPrecondition() throws Exception {
    start(EngineOptions.DEFAULTS);
    int[] first = new int[1];
    RawSession session = opened(0, first);
    session.send(verify(3, (first[0] + 1) % 272));
    assertStatus(Status.Code.FAILED_PRECONDITION, "last_token", session.status());
    assertEquals(0, server.awaitNoSessions());
  }

  @Test
  void badInputIsInvalidArgumentOrNotFound() throws Exception {
    start(EngineOptions.DEFAULTS);
    RawSession outOfVocab = new RawSession(channel, 0).send(open(new int[] {5, 999}, 32));
    assertStatus(Status.Code.INVALID_ARGUMENT, "prompt_tokens", outOfVocab.status());
    RawSession tooLong = new RawSession(channel, 0).send(open(new int[] {5}, 500));
    assertStatus(Status.Code.INVALID_ARGUMENT, "max_length", tooLong.status());
    RawSession verifyFirst = new RawSession(channel, 0).send(verify(0, 1));
    assertStatus(Status.Code.FAILED_PRECONDITION, "open", verifyFirst.status());
    VerifierRequest otherModel =
        open(new int[] {5}, 32).toBuilder()
            .setOpen(open(new int[] {5}, 32).getOpen().toBuilder().setModel("huge"))
            .build();
    RawSession unknown = new RawSession(channel, 0).send(otherModel);
    assertStatus(Status.Code.NOT_FOUND, "huge", unknown.status());
    int[] first = new int[1];
    RawSession tooManyDrafts = opened(0, first);
    tooManyDrafts.send(verify(3, first[0], new int[17]));
    assertStatus(Status.Code.INVALID_ARGUMENT, "draft_tokens", tooManyDrafts.status());
    assertEquals(0, server.awaitNoSessions());
  }

  @Test
  void exceedingTheSessionLimitIsResourceExhausted() throws Exception {
    start(EngineOptions.DEFAULTS.withMaxSessions(2));
    int[] first = new int[1];
    RawSession a = opened(0, first);
    RawSession b = opened(0, first);
    RawSession c = new RawSession(channel, 0).send(open(new int[] {5, 6, 7}, 32));
    assertStatus(Status.Code.RESOURCE_EXHAUSTED, "max-sessions", c.status());
    a.halfClose();
    b.halfClose();
    assertEquals(Status.Code.OK, a.status().getCode());
    assertEquals(0, server.awaitNoSessions());
  }

  @Test
  void exceedingTheKvCapacityIsResourceExhausted() throws Exception {
    start(EngineOptions.DEFAULTS.withMaxKvTokens(100));
    int[] first = new int[1];
    RawSession a = opened(0, first); // max_length 32 + 16 draft slack = 48 positions
    RawSession b = opened(0, first); // 96 reserved
    RawSession c = new RawSession(channel, 0).send(open(new int[] {5, 6, 7}, 32));
    assertStatus(Status.Code.RESOURCE_EXHAUSTED, "max-kv-tokens", c.status());
    assertEquals(96, server.server.engine().reservedKvTokens());
    a.cancel();
    b.cancel();
    assertEquals(0, server.awaitNoSessions());
    assertEquals(0, server.server.engine().reservedKvTokens());
  }

  @Test
  void aCancelledStreamFreesItsSessionAtOnce() throws Exception {
    start(EngineOptions.DEFAULTS);
    int[] first = new int[1];
    RawSession idle = opened(0, first);
    RawSession verifying = opened(0, first);
    assertEquals(2, server.openSessions());
    idle.cancel();
    scoring.hold();
    verifying.send(verify(3, first[0], 1, 2, 3)); // its forward's result is held: still pending
    verifying.cancel();
    assertEquals(0, server.awaitNoSessions());
  }

  @Test
  void thePassingDeadlineFreesTheSession() throws Exception {
    start(EngineOptions.DEFAULTS);
    int[] first = new int[1];
    // Opened arrived, so the session existed; whether the deadline passes a moment later or has
    // already, the stream ends DEADLINE_EXCEEDED and the session is freed. 2 s leaves a busy
    // machine room to answer the open first.
    RawSession session = opened(2000, first);
    assertEquals(Status.Code.DEADLINE_EXCEEDED, session.status().getCode());
    assertEquals(0, server.awaitNoSessions());
  }

  @Test
  void anAbandonedSessionIsReapedAfterTheIdleTimeout() throws Exception {
    start(EngineOptions.DEFAULTS.withIdleTimeout(Duration.ofMillis(200)));
    int[] first = new int[1];
    RawSession session = opened(0, first);
    // No check that it is still open now: on a busy machine the reaper may already have come.
    assertStatus(Status.Code.ABORTED, "idle", session.status()); // only the reaper says this
    assertEquals(0, server.awaitNoSessions());
  }

  @Test
  void aServerGoingAwayMidSessionFailsThePendingVerifyAndFreesLocalState() throws Exception {
    start(EngineOptions.DEFAULTS);
    try (GrpcVerifier verifier =
        new GrpcVerifier(vertx, GrpcVerifierOptions.of("tiny", List.of(server.endpoint())))) {
      VerifierSession session =
          verifier
              .open(new int[] {5, 6, 7}, SamplingParams.GREEDY, 32)
              .toCompletableFuture()
              .join();
      scoring.hold();
      var pending = session.verify(DraftBlock.greedy(new int[] {1, 2})).toCompletableFuture();
      server.close();
      CompletionException failure = assertThrows(CompletionException.class, pending::join);
      VerifierUnavailableException unavailable =
          assertInstanceOf(
              VerifierUnavailableException.class,
              failure.getCause(),
              failure.getCause().toString());
      assertTrue(unavailable.getMessage().contains(server.endpoint()), unavailable.getMessage());
      assertEquals(0, server.openSessions());
      assertEquals(0, verifier.outstandingSessions().await().get(server.endpoint()));
      server = null;
    }
  }

  @Test
  void aServerWhoseConnectionsDieFailsThePendingVerifyAndFreesBothSides() throws Exception {
    Vertx serverVertx = Vertx.vertx();
    scoring = new HeldScoring(new ModelScoring("tiny", model));
    // When the server's own Vert.x goes, the stream's close handler may never run (its event loop
    // is gone): then the idle reaper is what frees the session, within the idle timeout.
    ServerFixture dying =
        new ServerFixture(
            serverVertx, scoring, EngineOptions.DEFAULTS.withIdleTimeout(Duration.ofSeconds(2)));
    try (GrpcVerifier verifier =
        new GrpcVerifier(vertx, GrpcVerifierOptions.of("tiny", List.of(dying.endpoint())))) {
      VerifierSession session =
          verifier
              .open(new int[] {5, 6, 7}, SamplingParams.GREEDY, 32)
              .toCompletableFuture()
              .join();
      scoring.hold();
      var pending = session.verify(DraftBlock.greedy(new int[] {1, 2})).toCompletableFuture();
      serverVertx.close().await(); // every connection of the server closes at once
      CompletionException failure = assertThrows(CompletionException.class, pending::join);
      VerifierUnavailableException unavailable =
          assertInstanceOf(
              VerifierUnavailableException.class,
              failure.getCause(),
              failure.getCause().toString());
      assertTrue(unavailable.getMessage().contains(dying.endpoint()), unavailable.getMessage());
      scoring.release(); // the held forward ends, so the session can go idle
      assertEquals(0, dying.awaitNoSessions());
      assertEquals(0, verifier.outstandingSessions().await().get(dying.endpoint()));
    } finally {
      dying.server.engine().close();
    }
  }

  @Test
  void theGrpcBackendReportsALimitWithItsStatus() throws Exception {
    start(EngineOptions.DEFAULTS.withMaxSessions(1));
    try (GrpcVerifier verifier =
        new GrpcVerifier(vertx, GrpcVerifierOptions.of("tiny", List.of(server.endpoint())))) {
      VerifierSession held =
          verifier
              .open(new int[] {5, 6, 7}, SamplingParams.GREEDY, 32)
              .toCompletableFuture()
              .join();
      CompletionException failure =
          assertThrows(
              CompletionException.class,
              () ->
                  verifier
                      .open(new int[] {5}, SamplingParams.GREEDY, 32)
                      .toCompletableFuture()
                      .join());
      VerifierException call = assertInstanceOf(VerifierException.class, failure.getCause());
      assertEquals(VerifierException.Kind.CAPACITY, call.kind());
      assertTrue(call.getMessage().contains("max-sessions"), call.getMessage());
      held.close();
      assertEquals(0, server.awaitNoSessions());
    }
  }

  @Test
  void healthEndpointAnswersOnTheSamePort() throws Exception {
    start(EngineOptions.DEFAULTS);
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port + "/health"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    assertTrue(response.body().contains("\"status\":\"ok\""), response.body());
  }
}
