package dev.tandem.router.engine;

import dev.tandem.router.accounting.Tenant;
import dev.tandem.router.api.GenerationRequest;
import dev.tandem.router.cache.CacheHit;
import dev.tandem.router.cache.CacheKind;
import dev.tandem.router.cache.ResponseCache;
import dev.tandem.router.errors.ErrorKind;
import dev.tandem.router.errors.TandemException;
import dev.tandem.speccore.AcceptanceStatsRegistry;
import dev.tandem.speccore.DraftProposer;
import dev.tandem.speccore.StepCostRegistry;
import dev.tandem.streaming.ChunkWriter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Starts generations: authenticates the caller, routes a validated request to a tier, reserves its
 * worst-case cost against the tenant and hands it to a {@link Generation} ({@link
 * AdmittedGeneration}), settling the reservation when it ends. Holds what outlives requests of one
 * configuration: tiers, drafters per tier, acceptance statistics per (drafter, verifier) pair. A
 * reload builds a new engine; the old one is {@link #retire retired} and reports when its last
 * generation ended, so that what only it used can be closed.
 *
 * <p>Threading: {@link #start} is called on the request's event loop; the engine is otherwise
 * immutable and its counters and statistics are thread-safe.
 */
public final class GenerationEngine {

  private static final String ID_PREFIX =
      Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36) + "-";
  private static final AtomicLong NEXT_ID = new AtomicLong();

  private final Map<String, Tier> tiers;
  private final AcceptanceStatsRegistry acceptance;
  private final GenerationObserver observer;
  private final Admission admission;
  private final ResponseCache cache;
  private final TtftTracker ttft = new TtftTracker();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicBoolean retired = new AtomicBoolean();
  private final Promise<Void> drained = Promise.promise();

  /**
   * @param tiers by name
   * @param defaultTier the tier "auto" resolves to
   * @param drafters per tier name: the drafters allowed there and the default
   * @param speculation k_max, default mode, draft price
   * @param acceptance acceptance statistics (kept across reloads)
   * @param observer metrics and the request log
   * @param cost tenants, accounting and routing by complexity
   * @param cache the response cache ({@link ResponseCache#DISABLED} for none)
   */
  public GenerationEngine(
      Map<String, Tier> tiers,
      String defaultTier,
      Map<String, TierDrafters> drafters,
      SpeculationSettings speculation,
      AcceptanceStatsRegistry acceptance,
      GenerationObserver observer,
      CostControl cost,
      ResponseCache cache) {
    if (!tiers.containsKey(defaultTier)) {
      throw new IllegalArgumentException(
          "default tier " + defaultTier + " is not among " + tiers.keySet());
    }
    if (!drafters.keySet().equals(tiers.keySet())) {
      throw new IllegalArgumentException(
          "drafters are given for tiers " + drafters.keySet() + ", not " + tiers.keySet());
    }
    this.tiers = Map.copyOf(tiers);
    this.cache = cache;
    this.acceptance = acceptance;
    this.observer = observer;
    this.admission =
        new Admission(
            this.tiers,
            defaultTier,
            Map.copyOf(drafters),
            speculation,
            acceptance,
            cost,
            ttft,
            new StepCostRegistry(),
            inFlight::get);
  }

  /** An engine without a response cache. */
  public GenerationEngine(
      Map<String, Tier> tiers,
      String defaultTier,
      Map<String, TierDrafters> drafters,
      SpeculationSettings speculation,
      AcceptanceStatsRegistry acceptance,
      GenerationObserver observer,
      CostControl cost) {
    this(
        tiers,
        defaultTier,
        drafters,
        speculation,
        acceptance,
        observer,
        cost,
        ResponseCache.DISABLED);
  }

  /**
   * An engine without tenants, routing thresholds or cache: anonymous, unlimited, auto = default
   * tier.
   */
  public GenerationEngine(
      Map<String, Tier> tiers,
      String defaultTier,
      Map<String, TierDrafters> drafters,
      SpeculationSettings speculation,
      AcceptanceStatsRegistry acceptance,
      GenerationObserver observer) {
    this(
        tiers,
        defaultTier,
        drafters,
        speculation,
        acceptance,
        observer,
        CostControl.unlimited(tiers, defaultTier, speculation));
  }

  /**
   * An engine whose tiers all allow the same drafters; no observer; anonymous and unlimited, and
   * {@code auto} means the default tier.
   */
  public GenerationEngine(
      Map<String, Tier> tiers,
      String defaultTier,
      Map<String, DraftProposer> drafters,
      String defaultDrafter,
      SpeculationSettings speculation) {
    this(
        tiers,
        defaultTier,
        sameForAll(tiers, new TierDrafters(drafters, defaultDrafter)),
        speculation,
        new AcceptanceStatsRegistry(),
        GenerationObserver.NONE,
        CostControl.unlimited(tiers, defaultTier, speculation));
  }

  private static Map<String, TierDrafters> sameForAll(Map<String, Tier> tiers, TierDrafters d) {
    Map<String, TierDrafters> map = new HashMap<>();
    tiers.keySet().forEach(name -> map.put(name, d));
    return map;
  }

  /** Model ids a client may ask for: each tier and "auto". */
  public List<String> modelIds() {
    List<String> ids = new ArrayList<>(tiers.keySet());
    ids.sort(null);
    ids.add("auto");
    return ids;
  }

  /** The tiers by name. */
  public Map<String, Tier> tiers() {
    return tiers;
  }

  /** Acceptance statistics by (drafter, verifier) pair. */
  public AcceptanceStatsRegistry acceptance() {
    return acceptance;
  }

  /** The response cache. */
  public ResponseCache cache() {
    return cache;
  }

  /** Tenants, accounting and routing. */
  public CostControl cost() {
    return admission.cost();
  }

  /**
   * The tenant behind a request's credentials.
   *
   * @param authorization the {@code Authorization} header ({@code Bearer KEY}) or the gRPC {@code
   *     authorization} metadata; null when absent
   * @throws TandemException UNAUTHENTICATED for a missing or unknown key
   */
  public Tenant authenticate(String authorization) {
    String key = authorization;
    if (key != null && key.regionMatches(true, 0, "Bearer ", 0, 7)) {
      key = key.substring(7).trim();
    }
    return admission.cost().keys().authenticate(key);
  }

  /** Prompt tokens of a tier's requests still waiting for their first token. */
  public long queuedPromptTokens(String tier) {
    return ttft.queued(tier);
  }

  /** Generations started by this engine that have not ended. */
  public int inFlight() {
    return inFlight.get();
  }

  /**
   * Starts a generation whose chunks go to {@code writer} on {@code context}: routes it, reserves
   * its worst-case cost against the tenant, runs it and settles what it cost.
   *
   * @throws TandemException NOT_FOUND for an unknown model; later refusals (a drafter the tier does
   *     not allow, quota, budget) end the returned handle's completion, holding nothing
   */
  public GenerationHandle start(
      GenerationRequest request, Tenant tenant, Context context, ChunkWriter writer) {
    if (!request.model().equals("auto") && !tiers.containsKey(request.model())) {
      throw new TandemException(
          ErrorKind.NOT_FOUND,
          "model",
          "model must be one of " + modelIds() + ", got " + request.model(),
          null);
    }
    inFlight.incrementAndGet();
    // one id for every log line of the request (its request line and its charge line)
    String requestId = ID_PREFIX + NEXT_ID.incrementAndGet();
    AdmittedGeneration generation =
        new AdmittedGeneration(
            admission,
            cache,
            request,
            tenant,
            context,
            writer,
            requestId,
            new AdmittedGeneration.Launcher() {
              @Override
              public Generation launch(
                  Admission.Route route, GenerationRequest r, Context c, ChunkWriter w) {
                return GenerationEngine.this.launch(requestId, route, r, c, w);
              }

              @Override
              public CachedReply replay(
                  Admission.Route route,
                  CacheHit hit,
                  GenerationRequest r,
                  Context c,
                  ChunkWriter w) {
                return GenerationEngine.this.replay(requestId, route, hit, r, c, w);
              }
            });
    generation
        .completion()
        .onComplete(
            ar -> {
              if (inFlight.decrementAndGet() == 0 && retired.get()) {
                drained.tryComplete();
              }
            });
    generation.start();
    return generation;
  }

  /** A routed request's generation, reported to the observer and timed for TTFT estimates. */
  private Generation launch(
      String requestId,
      Admission.Route route,
      GenerationRequest request,
      Context context,
      ChunkWriter writer) {
    long startNanos = System.nanoTime();
    Tier tier = route.tier();
    long tokensAhead = ttft.enqueue(tier.name(), route.promptTokens());
    AtomicBoolean leftQueue = new AtomicBoolean();
    FirstChunkClock clock =
        new FirstChunkClock(
            writer,
            () -> observer.paused(tier),
            firstNanos -> {
              if (leftQueue.compareAndSet(false, true)) {
                ttft.firstToken(
                    tier.name(), route.promptTokens(), tokensAhead, firstNanos - startNanos);
              }
            });
    Generation generation;
    try {
      generation =
          admission.generation(
              route,
              request,
              context,
              clock,
              cause -> observer.drafterFailed(tier, route.drafter().name(), cause));
    } catch (RuntimeException e) {
      ttft.abandoned(tier.name(), route.promptTokens());
      throw e;
    }
    observer.started(request, tier);
    generation
        .completion()
        .onComplete(
            ar -> {
              long ttftNanos =
                  clock.firstChunkNanos() < 0 ? -1 : clock.firstChunkNanos() - startNanos;
              if (leftQueue.compareAndSet(false, true)) {
                ttft.abandoned(tier.name(), route.promptTokens());
              }
              observer.ended(
                  new GenerationObserver.Ended(
                      requestId,
                      request,
                      tier,
                      generation.drafterName(),
                      ar.result() instanceof StreamEnd.Finished f ? f.result() : null,
                      switch (ar.result()) {
                        case StreamEnd.Failed failed -> failed.error();
                        case StreamEnd.Finished f -> null;
                        case null -> ar.cause();
                      },
                      ttftNanos,
                      System.nanoTime() - startNanos));
            });
    return generation;
  }

  /** A cache hit's reply, reported to the observer like a generation (drafter "cache"). */
  private CachedReply replay(
      String requestId,
      Admission.Route route,
      CacheHit hit,
      GenerationRequest request,
      Context context,
      ChunkWriter writer) {
    long startNanos = System.nanoTime();
    Tier tier = route.tier();
    FirstChunkClock clock =
        new FirstChunkClock(writer, () -> observer.paused(tier), firstNanos -> {});
    int promptTokens =
        hit.kind() == CacheKind.EXACT ? hit.entry().promptTokens() : route.promptTokens();
    CachedReply reply =
        new CachedReply(
            hit,
            CachedReply.result(hit, promptTokens, tier, route.decision().reason()),
            context,
            clock);
    observer.started(request, tier);
    reply
        .completion()
        .onComplete(
            ar ->
                observer.ended(
                    new GenerationObserver.Ended(
                        requestId,
                        request,
                        tier,
                        "cache",
                        ar.result() instanceof StreamEnd.Finished f ? f.result() : null,
                        ar.result() instanceof StreamEnd.Failed failed ? failed.error() : null,
                        clock.firstChunkNanos() < 0 ? -1 : clock.firstChunkNanos() - startNanos,
                        System.nanoTime() - startNanos)));
    return reply;
  }

  /**
   * No new generations will be started on this engine (a newer config took over).
   *
   * @return completes once every generation it started has ended
   */
  public Future<Void> retire() {
    retired.set(true);
    if (inFlight.get() == 0) {
      drained.tryComplete();
    }
    return drained.future();
  }

  /**
   * Passes chunks through, notes when the first one with tokens was written and reports each pause
   * for flow control (the streamer asks for a drain only when the queue is full).
   */
  private static final class FirstChunkClock implements ChunkWriter {
    private final ChunkWriter delegate;
    private final Runnable paused;
    private final LongConsumer onFirstChunk;
    private long firstChunkNanos = -1;

    FirstChunkClock(ChunkWriter delegate, Runnable paused, LongConsumer onFirstChunk) {
      this.delegate = delegate;
      this.paused = paused;
      this.onFirstChunk = onFirstChunk;
    }

    long firstChunkNanos() {
      return firstChunkNanos;
    }

    @Override
    public void writeDelta(String text, int[] tokens) {
      if (firstChunkNanos < 0 && tokens.length > 0) {
        firstChunkNanos = System.nanoTime();
        onFirstChunk.accept(firstChunkNanos);
      }
      delegate.writeDelta(text, tokens);
    }

    @Override
    public boolean writeQueueFull() {
      return delegate.writeQueueFull();
    }

    @Override
    public void routed(String model) {
      delegate.routed(model);
    }

    @Override
    public void drainHandler(Runnable handler) {
      paused.run();
      delegate.drainHandler(handler);
    }
  }
}
