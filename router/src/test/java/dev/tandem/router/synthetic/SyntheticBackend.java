package dev.tandem.router.synthetic;

import dev.tandem.router.engine.PromptCodec;
import dev.tandem.speccore.DraftBlock;
import dev.tandem.speccore.DraftProposer;
import dev.tandem.speccore.DraftSession;
import dev.tandem.speccore.SamplingParams;
import dev.tandem.speccore.Verdict;
import dev.tandem.speccore.Verifier;
import dev.tandem.speccore.VerifierSession;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;

/**
 * A drafter/verifier pair with no model, for measuring the router itself: the "verifier" emits a
 * fixed text over and over (one byte = one token), each session releases one verdict per pace on
 * its own clock (as a remote verifier serving a steady stream would), and the drafter guesses the
 * next tokens right with a fixed probability α. Deterministic per prompt. Costs no CPU besides the
 * router's own work.
 *
 * <p>Pacing: the open call is released one pace after it was made; each verify call one pace after
 * the session's previous release, or at once when the router calls later than that (it cannot be
 * answered before it is asked). So a router that keeps up sees exactly one verdict per pace per
 * stream, one that falls behind sees its streams slow down, and streams keep their own phases: a
 * stall (a GC pause, a preempted thread) does not leave every stream it delayed due at the same
 * moment from then on, as counting each delay from the call would, with the timer's tick gathering
 * them into ever larger bursts.
 *
 * <p>Thread-safe; sessions belong to one request's loop.
 */
public final class SyntheticBackend {

  /**
   * Watches the moments the paced calls complete, so that a benchmark can tell how long the router
   * took from there to the client.
   *
   * <p>Threading: {@link #session} is called where the verifier session is opened; the consumer it
   * returns is called on the thread that completes the delay with the delay's release time (a
   * {@link System#nanoTime()}), once for the open call (whose completion releases the first token)
   * and once for each verify call, in call order.
   */
  public interface ReleaseListener {
    LongConsumer session(int[] prompt);
  }

  private static final LongConsumer NOT_WATCHED = nanos -> {};

  private static final byte[] TEXT =
      "The quick brown fox jumps over the lazy dog. ".getBytes(StandardCharsets.US_ASCII);

  private final long paceNanos;
  private final double alpha;
  private final LongFunction<CompletionStage<Long>> releaseAt;
  private final LongSupplier clock;
  private final AtomicInteger openSessions = new AtomicInteger();
  private final AtomicLong tokensEmitted = new AtomicLong();
  private volatile ReleaseListener releases = prompt -> NOT_WATCHED;

  /**
   * @param paceMillis time between a session's verdicts
   * @param alpha probability that each draft token is right
   * @param releaseAt completes at or soon after the given {@link System#nanoTime()} (e.g. on a
   *     Vert.x timer) with the nanoTime at which it released the stage; never blocks
   */
  public SyntheticBackend(
      double paceMillis, double alpha, LongFunction<CompletionStage<Long>> releaseAt) {
    this(paceMillis, alpha, releaseAt, System::nanoTime);
  }

  /**
   * As above, with the clock that due times are computed from: {@link System#nanoTime()} in
   * production use, a hand-moved one in tests of the pacing itself.
   */
  public SyntheticBackend(
      double paceMillis,
      double alpha,
      LongFunction<CompletionStage<Long>> releaseAt,
      LongSupplier clock) {
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
    }
    if (!(paceMillis >= 0)) {
      throw new IllegalArgumentException("paceMillis must be >= 0, got " + paceMillis);
    }
    this.paceNanos = Math.round(paceMillis * 1e6);
    this.alpha = alpha;
    this.releaseAt = releaseAt;
    this.clock = clock;
  }

  /** Tokens emitted by all sessions so far (to watch flow control pause generation). */
  public long tokensEmitted() {
    return tokensEmitted.get();
  }

  /** Watches the sessions opened from now on (one listener at a time). */
  public void watchReleases(ReleaseListener listener) {
    releases = listener;
  }

  /** Sessions open right now (for leak checks). */
  public int openSessions() {
    return openSessions.get();
  }

  /**
   * {@code RIGHT_DRAFTS[offset][k]}: the k right draft tokens from text offset {@code offset},
   * built once and shared (draft blocks are not modified), so that drafting allocates nothing when
   * every token is right and the benchmark's allocation figures are the router's.
   */
  private static final DraftBlock[][] RIGHT_DRAFTS = new DraftBlock[TEXT.length][];

  /** {@link #RIGHT_DRAFTS} as completed proposals, and every verdict: shared, nothing per step. */
  private static final CompletableFuture<DraftBlock>[][] RIGHT_PROPOSALS =
      newProposals(TEXT.length);

  private static final Verdict[][] VERDICTS = new Verdict[DraftBlock.MAX_DRAFT + 1][256];

  @SuppressWarnings("unchecked")
  private static CompletableFuture<DraftBlock>[][] newProposals(int offsets) {
    return new CompletableFuture[offsets][DraftBlock.MAX_DRAFT + 1];
  }

  static {
    for (int offset = 0; offset < TEXT.length; offset++) {
      RIGHT_DRAFTS[offset] = new DraftBlock[DraftBlock.MAX_DRAFT + 1];
      RIGHT_DRAFTS[offset][0] = DraftBlock.empty();
      for (int k = 1; k <= DraftBlock.MAX_DRAFT; k++) {
        int[] tokens = new int[k];
        for (int i = 0; i < k; i++) {
          tokens[i] = tokenAt(offset + i);
        }
        RIGHT_DRAFTS[offset][k] = DraftBlock.greedy(tokens);
      }
      for (int k = 0; k <= DraftBlock.MAX_DRAFT; k++) {
        RIGHT_PROPOSALS[offset][k] = CompletableFuture.completedFuture(RIGHT_DRAFTS[offset][k]);
      }
    }
    for (int accepted = 0; accepted <= DraftBlock.MAX_DRAFT; accepted++) {
      for (int next = 0; next < 256; next++) {
        VERDICTS[accepted][next] = new Verdict(accepted, next);
      }
    }
  }

  /** Each one-byte token's bytes, made once: the router's allocation figures are its own. */
  private static final byte[][] TOKEN_BYTES = new byte[256][];

  static {
    for (int b = 0; b < 256; b++) {
      TOKEN_BYTES[b] = new byte[] {(byte) b};
    }
  }

  static int tokenAt(long position) {
    return TEXT[(int) (position % TEXT.length)] & 0xFF;
  }

  public PromptCodec codec() {
    return new PromptCodec() {
      @Override
      public int[] encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int[] tokens = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
          tokens[i] = bytes[i] & 0xFF;
        }
        return tokens;
      }

      @Override
      public byte[] tokenBytes(int token) {
        return TOKEN_BYTES[token & 0xFF]; // shared: the detokenizer only reads them
      }

      @Override
      public Set<Integer> eosTokens() {
        return Set.of(0);
      }

      @Override
      public int bosToken() {
        return -1;
      }
    };
  }

  public Verifier verifier() {
    return new Verifier() {
      @Override
      public String name() {
        return "synthetic";
      }

      @Override
      public CompletionStage<VerifierSession> open(
          int[] prompt, SamplingParams params, int maxLength) {
        openSessions.incrementAndGet();
        LongConsumer released = releases.session(prompt);
        long due = clock.getAsLong() + paceNanos;
        return releaseAt
            .apply(due)
            .thenApply(
                releasedAt -> {
                  released.accept(releasedAt);
                  return new Session(released, due);
                });
      }
    };
  }

  public DraftProposer drafter() {
    return new DraftProposer() {
      @Override
      public String name() {
        return "synthetic";
      }

      @Override
      public DraftSession open(int[] promptTokens, SamplingParams params) {
        return new Drafter();
      }
    };
  }

  /** Output position n holds tokenAt(n): the verifier's whole "model". */
  private final class Session implements VerifierSession {
    private final LongConsumer released;
    private long due;
    private long emitted = 1;
    private boolean closed;

    Session(LongConsumer released, long lastDue) {
      this.released = released;
      this.due = lastDue;
    }

    @Override
    public int firstToken() {
      return tokenAt(0);
    }

    @Override
    public CompletionStage<Verdict> verify(DraftBlock draft) {
      int accepted = 0;
      while (accepted < draft.size() && draft.tokens()[accepted] == tokenAt(emitted + accepted)) {
        accepted++;
      }
      int next = tokenAt(emitted + accepted);
      emitted += accepted + 1;
      tokensEmitted.addAndGet(accepted + 1);
      Verdict verdict = VERDICTS[accepted][next];
      due = Math.max(due + paceNanos, clock.getAsLong());
      return releaseAt
          .apply(due)
          .thenApply(
              releasedAt -> {
                released.accept(releasedAt);
                return verdict;
              });
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        openSessions.decrementAndGet();
      }
    }
  }

  /** Proposes the right token with probability α, else a wrong one, stopping at the first miss. */
  private final class Drafter implements DraftSession {
    private final SplittableRandom random = new SplittableRandom(42);
    private long committed;
    private int proposed;

    @Override
    public CompletionStage<DraftBlock> propose(int k) {
      int offset = (int) (committed % TEXT.length);
      DraftBlock right = RIGHT_DRAFTS[offset][k];
      int[] tokens = null; // a copy only when some token is wrong
      for (int i = 0; i < k; i++) {
        if (random.nextDouble() >= alpha) {
          tokens = tokens == null ? right.tokens().clone() : tokens;
          tokens[i] = tokens[i] == 'x' ? 'y' : 'x';
        }
      }
      proposed = k;
      return tokens == null
          ? RIGHT_PROPOSALS[offset][k]
          : CompletableFuture.completedFuture(DraftBlock.greedy(tokens));
    }

    @Override
    public void commit(int keptDraftTokens, int nextToken) {
      if (keptDraftTokens > proposed) {
        throw new IllegalArgumentException(
            "keptDraftTokens must be in 0.." + proposed + ", got " + keptDraftTokens);
      }
      committed += keptDraftTokens + 1;
      proposed = 0;
    }

    @Override
    public void close() {}
  }
}
