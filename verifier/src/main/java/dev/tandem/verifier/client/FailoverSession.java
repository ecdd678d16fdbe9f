package dev.tandem.verifier.client;

import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.Verdict;
import dev.tandem.speccore.VerifierException;
import dev.tandem.speccore.VerifierSession;
import io.vertx.core.Context;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.logging.Logger;

/**
 * A request's verifier session that outlives its endpoint. It holds the prompt and every token the
 * verifier emitted, so when the endpoint dies, stalls past the call timeout, drains, or disagrees
 * about the position, it opens a session with that sequence on another endpoint ({@code
 * Open.resume}) and sends the same verify again: the verdict is the one the lost session would have
 * given (the model is the same, random draws depend only on the seed and the position). At most
 * {@link GrpcVerifierOptions#maxFailovers()} replacements per request, opening included; when none
 * is left, or no endpoint is, the call fails with the last failure's kind (UNAVAILABLE, or CAPACITY
 * when every endpoint was full).
 *
 * <p>Threading: state is confined to the verifier's context; public methods hop onto it and the
 * returned stages complete on it.
 */
final class FailoverSession implements VerifierSession {

  private static final Logger LOG = Logger.getLogger(FailoverSession.class.getName());

  private final GrpcVerifier verifier;
  private final Context context;
  private final SamplingParams params;
  private final int maxLength;
  private final int maxFailovers;
  private final Set<Endpoint> excluded = new HashSet<>();
  private int[] sequence; // prompt + emitted tokens; the last is not yet scored
  private int length;
  // Written on the verifier's context; volatile so that location() may read it from any thread.
  private volatile RemoteSession current;
  private volatile int firstToken;
  private int failovers;
  private boolean closed;

  FailoverSession(
      GrpcVerifier verifier,
      Context context,
      int[] prompt,
      SamplingParams params,
      int maxLength,
      int maxFailovers) {
    this.verifier = verifier;
    this.context = context;
    this.params = params;
    this.maxLength = maxLength;
    this.maxFailovers = maxFailovers;
    this.sequence = Arrays.copyOf(prompt, prompt.length + 16);
    this.length = prompt.length;
  }

  /** Opens the first session (on the context); fails over to another endpoint like a verify. */
  void open(CompletableFuture<VerifierSession> opened) {
    connect(false, null)
        .whenComplete(
            (session, error) -> {
              if (error != null) {
                opened.completeExceptionally(unwrap(error));
                return;
              }
              firstToken = session.firstToken();
              append(firstToken);
              opened.complete(this);
            });
  }

  @Override
  public String location() {
    RemoteSession session = current;
    return session == null ? "" : session.endpoint().name;
  }

  @Override
  public int firstToken() {
    return firstToken;
  }

  @Override
  public CompletionStage<Verdict> verify(DraftBlock draft) {
    CompletableFuture<Verdict> verdict = new CompletableFuture<>();
    context.runOnContext(v -> attempt(draft, verdict));
    return verdict;
  }

  @Override
  public void close() {
    context.runOnContext(
        v -> {
          if (!closed) {
            closed = true;
            if (current != null) {
              current.close();
            }
          }
        });
  }

  private void attempt(DraftBlock draft, CompletableFuture<Verdict> verdict) {
    if (closed) {
      verdict.completeExceptionally(new CancellationException("session closed by its owner"));
      return;
    }
    current
        .verify(draft)
        .whenComplete(
            (result, error) -> {
              if (error == null) {
                for (int i = 0; i < result.acceptedCount(); i++) {
                  append(draft.tokens()[i]);
                }
                append(result.nextToken());
                verdict.complete(result);
                return;
              }
              replace(unwrap(error))
                  .whenComplete(
                      (session, failure) -> {
                        if (failure != null) {
                          verdict.completeExceptionally(unwrap(failure));
                        } else {
                          attempt(draft, verdict); // the same draft, at the same position
                        }
                      });
            });
  }

  /** The current session failed: open its replacement at the same position, if allowed. */
  private CompletableFuture<RemoteSession> replace(Throwable error) {
    if (closed || !(error instanceof VerifierException lost) || !lost.replaceable()) {
      return CompletableFuture.failedFuture(error);
    }
    if (lost.kind() != VerifierException.Kind.POSITION_MISMATCH) {
      excluded.add(current.endpoint()); // out of step is not the endpoint's fault: it may serve
    }
    current.close();
    return failOver(lost, true);
  }

  private CompletableFuture<RemoteSession> failOver(VerifierException cause, boolean resume) {
    if (failovers >= maxFailovers) {
      return CompletableFuture.failedFuture(
          exhausted(cause, failovers + " failover(s) used, the most allowed"));
    }
    failovers++;
    int position = length - 1;
    LOG.info(
        () ->
            "verifier failover "
                + failovers
                + " of "
                + maxFailovers
                + (resume ? " at position " + position : " at open")
                + " after: "
                + cause.getMessage());
    return connect(resume, cause);
  }

  /**
   * Opens a session on the best endpoint this request has not seen fail; on a replaceable failure
   * fails over to the next one.
   *
   * @param previous the failure that led here, or null for the first open
   */
  private CompletableFuture<RemoteSession> connect(boolean resume, VerifierException previous) {
    Endpoint endpoint = verifier.choose(excluded);
    if (endpoint == null) {
      return CompletableFuture.failedFuture(
          exhausted(
              previous,
              "no healthy verifier server left among "
                  + verifier.endpointNames()
                  + (excluded.isEmpty() ? "" : " (failed for this request: " + excluded + ")")));
    }
    CompletableFuture<VerifierSession> opened = new CompletableFuture<>();
    RemoteSession session =
        verifier.start(
            endpoint, Arrays.copyOf(sequence, length), params, maxLength, resume, opened);
    CompletableFuture<RemoteSession> result = new CompletableFuture<>();
    opened.whenComplete(
        (ok, error) -> {
          Throwable failure = error == null ? null : unwrap(error);
          if (failure == null && !closed) {
            current = session;
            result.complete(session);
          } else if (failure == null) {
            session.close();
            result.completeExceptionally(new CancellationException("session closed by its owner"));
          } else if (closed || !(failure instanceof VerifierException e) || !e.replaceable()) {
            result.completeExceptionally(failure);
          } else {
            excluded.add(endpoint);
            failOver(e, resume)
                .whenComplete(
                    (next, nextFailure) -> {
                      if (nextFailure != null) {
                        result.completeExceptionally(unwrap(nextFailure));
                      } else {
                        result.complete(next);
                      }
                    });
          }
        });
    return result;
  }

  /** What a request sees when it cannot be served: CAPACITY when the last endpoint was full. */
  private static VerifierException exhausted(VerifierException last, String why) {
    if (last == null) {
      return new VerifierUnavailableException(why, null);
    }
    if (last.kind() == VerifierException.Kind.CAPACITY) {
      return new VerifierException(
          VerifierException.Kind.CAPACITY,
          why + "; last endpoint: " + last.getMessage(),
          last.retryAfter().orElse(null),
          last);
    }
    return new VerifierUnavailableException(why + "; last failure: " + last.getMessage(), last);
  }

  private void append(int token) {
    if (length == sequence.length) {
      sequence = Arrays.copyOf(sequence, length * 2);
    }
    sequence[length++] = token;
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }
}
