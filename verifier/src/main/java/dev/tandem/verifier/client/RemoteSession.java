package dev.tandem.verifier.client;

import dev.tandem.proto.v1.VerifierRequest;
import dev.tandem.proto.v1.VerifierResponse;
import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.Verdict;
import dev.tandem.speccore.VerifierException;
import dev.tandem.speccore.VerifierSession;
import dev.tandem.verifier.engine.OpenResult;
import dev.tandem.verifier.engine.VerifyResult;
import dev.tandem.verifier.protocol.FromProto;
import dev.tandem.verifier.protocol.ToProto;
import dev.tandem.verifier.protocol.VerifierStatus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcStatus;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One session on a remote verifier server: one bidi stream, at most one call (Open or Verify)
 * pending. Ends by {@link #close()} (sends Close), by the server (a status), or by the stream
 * breaking (the pending call fails with {@link VerifierUnavailableException}, or the kind of the
 * status the server sent); either way {@link #release()} frees the endpoint's count once.
 *
 * <p>Threading: state is confined to the verifier's context; public methods hop onto it.
 */
final class RemoteSession implements VerifierSession, CallDeadlines.Watched {

  private final Context context;
  private final Endpoint endpoint;
  private final SamplingParams params;
  private final CallDeadlines deadlines;

  private GrpcClientRequest<VerifierRequest, VerifierResponse> request;
  private CompletableFuture<VerifierSession> pendingOpen;
  private CompletableFuture<Verdict> pendingVerify;
  private long callDueNanos; // when the pending call times out; 0 when none is pending
  private boolean released;
  private Throwable lost; // why the session ended while no call was pending, if it did
  private volatile int firstToken;
  private int position;
  private int lastToken;

  RemoteSession(
      Context context, Endpoint endpoint, SamplingParams params, CallDeadlines deadlines) {
    this.context = context;
    this.endpoint = endpoint;
    this.params = params;
    this.deadlines = deadlines;
  }

  /**
   * Opens the stream and sends Open; {@code opened} completes with this session or an error.
   *
   * @param resume true when {@code prompt} is a sequence to continue (prompt + emitted tokens)
   */
  void start(
      Future<GrpcClientRequest<VerifierRequest, VerifierResponse>> stream,
      String model,
      int[] prompt,
      int maxLength,
      boolean resume,
      CompletableFuture<VerifierSession> opened) {
    pendingOpen = opened;
    deadlines.join(this);
    armTimer();
    stream
        .onSuccess(
            req -> {
              if (released) { // timed out or closed before the stream was ready: nothing to open
                req.cancel();
                return;
              }
              request = req;
              req.exceptionHandler(this::onBroken);
              req.response().onSuccess(this::attach).onFailure(this::onBroken);
              req.write(ToProto.open(model, prompt, params, maxLength, resume));
            })
        .onFailure(this::onBroken);
  }

  @Override
  public int firstToken() {
    return firstToken;
  }

  /** The server this session lives on. */
  Endpoint endpoint() {
    return endpoint;
  }

  @Override
  public CompletionStage<Verdict> verify(DraftBlock draft) {
    CompletableFuture<Verdict> verdict = new CompletableFuture<>();
    context.runOnContext(
        v -> {
          if (released) {
            verdict.completeExceptionally(
                lost != null
                    ? new VerifierUnavailableException(
                        "the session on verifier server " + endpoint + " was lost: " + lost, lost)
                    : new IllegalStateException("the session on " + endpoint + " is closed"));
            return;
          }
          pendingVerify = verdict;
          armTimer();
          request.write(ToProto.verify(position, lastToken, draft, !params.isGreedy()));
        });
    return verdict;
  }

  /** Sends Close and frees local state; a pending call fails with a cancellation. */
  @Override
  public void close() {
    context.runOnContext(
        v -> {
          if (released) {
            return;
          }
          release();
          fail(new CancellationException("session closed by its owner"));
          if (request != null) { // else the stream, when it comes, is cancelled unused
            request.end(ToProto.close());
          }
        });
  }

  private void attach(GrpcClientResponse<VerifierRequest, VerifierResponse> response) {
    response.handler(this::onMessage);
    response.exceptionHandler(this::onBroken);
    response.endHandler(v -> onEnd(response.status(), response.statusMessage()));
  }

  private void onMessage(VerifierResponse message) {
    cancelTimer();
    endpoint.breaker.onSuccess();
    try {
      switch (message.getKindCase()) {
        case OPENED -> {
          OpenResult opened = FromProto.opened(message.getOpened());
          firstToken = opened.firstToken();
          position = opened.position();
          lastToken = opened.firstToken();
          CompletableFuture<VerifierSession> open = pendingOpen;
          pendingOpen = null;
          if (open != null) {
            open.complete(this);
          }
        }
        case VERDICT -> {
          VerifyResult result = FromProto.verdict(message.getVerdict());
          endpoint.load = result.load();
          position = result.position();
          lastToken = result.verdict().nextToken();
          CompletableFuture<Verdict> verify = pendingVerify;
          pendingVerify = null;
          if (verify != null) {
            verify.complete(result.verdict());
          }
        }
        default -> throw new IllegalArgumentException("empty response from " + endpoint);
      }
    } catch (RuntimeException e) {
      fail(e);
      abort();
    }
  }

  /**
   * The server ended the stream. OK with a call pending, or no status at all, is a lost session
   * ({@link VerifierUnavailableException}); any other status becomes the {@link
   * dev.tandem.speccore.VerifierException} of its kind ({@link VerifierStatus}).
   */
  private void onEnd(GrpcStatus status, String message) {
    boolean pending = pendingOpen != null || pendingVerify != null;
    release(); // before failing the call: whoever it wakes sees the endpoint's count freed
    if (!pending) {
      if (lost == null && status != GrpcStatus.OK) {
        lost =
            new VerifierUnavailableException(
                "verifier server " + endpoint + " ended the session: " + status, null);
      }
      return; // the end of a session closed by its owner, or already failed
    }
    String what =
        "verifier server "
            + endpoint
            + " ended the session: "
            + status
            + (message == null || message.isEmpty() ? "" : ": " + message);
    VerifierException.Kind kind =
        status == null || status == GrpcStatus.OK
            ? VerifierException.Kind.UNAVAILABLE
            : VerifierStatus.kindOf(status);
    if (kind == VerifierException.Kind.UNAVAILABLE) {
      endpoint.breaker.onFailure();
      fail(new VerifierUnavailableException(what, null));
    } else {
      endpoint.breaker.onSuccess(); // it answered on purpose: alive
      fail(new VerifierException(kind, what));
    }
  }

  private void onBroken(Throwable error) {
    if (released) {
      return;
    }
    endpoint.healthy = false; // until its next health check passes
    endpoint.breaker.onFailure();
    release();
    fail(
        new VerifierUnavailableException(
            "verifier server " + endpoint + " went away mid-session: " + error, error));
  }

  private void fail(Throwable error) {
    cancelTimer();
    CompletableFuture<VerifierSession> open = pendingOpen;
    CompletableFuture<Verdict> verify = pendingVerify;
    if (open == null
        && verify == null
        && lost == null
        && !(error instanceof CancellationException)) {
      lost = error;
    }
    pendingOpen = null;
    pendingVerify = null;
    if (open != null) {
      open.completeExceptionally(error);
    }
    if (verify != null) {
      verify.completeExceptionally(error);
    }
  }

  /** Frees this client's hold on the endpoint, once. */
  private void release() {
    if (!released) {
      released = true;
      endpoint.outstanding--;
      cancelTimer();
      deadlines.leave(this);
    }
  }

  /** Resets the stream (the server frees the session on the reset). */
  private void abort() {
    release();
    if (request != null) {
      request.cancel();
    }
  }

  private void armTimer() {
    callDueNanos = deadlines.dueFromNow();
  }

  private void cancelTimer() {
    callDueNanos = 0;
  }

  @Override
  public boolean overdue(long nowNanos) {
    return callDueNanos != 0 && nowNanos - callDueNanos >= 0;
  }

  @Override
  public void timedOut() {
    callDueNanos = 0;
    endpoint.breaker.onFailure();
    release();
    fail(
        new VerifierUnavailableException(
            "no answer from verifier server "
                + endpoint
                + " within "
                + deadlines.timeoutMillis()
                + " ms",
            null));
    abort();
  }
}
