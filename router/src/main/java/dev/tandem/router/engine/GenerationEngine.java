package dev.tandem.router.engine;

import dev.tandem.router.api.GenerationRequest;
import dev.tandem.router.errors.ErrorKind;
import dev.tandem.router.errors.TandemException;
import dev.tandem.speccore.AcceptanceStatsRegistry;
import dev.tandem.speccore.DraftProposer;
import dev.tandem.streaming.ChunkWriter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Starts generations: resolves the tier and the drafter of a validated request and hands it to a
 * {@link Generation}. Holds what outlives requests of one configuration: tiers, drafters per tier,
 * acceptance statistics per (drafter, verifier) pair. A reload builds a new engine; the old one is
 * {@link #retire retired} and reports when its last generation ended, so that what only it used can
 * be closed.
 *
 * <p>Threading: {@link #start} is called on the request's event loop; the engine is otherwise
 * immutable and its counters and statistics are thread-safe.
 */
public final class GenerationEngine {

  private static final String ID_PREFIX =
      Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36) + "-";
  private static final AtomicLong NEXT_ID = new AtomicLong();

  private final Map<String, Tier> tiers;
  private final String defaultTier;
  private final Map<String, TierDrafters> drafters;
  private final SpeculationSettings speculation;
  private final AcceptanceStatsRegistry acceptance;
  private final GenerationObserver observer;
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
   */
  public GenerationEngine(
      Map<String, Tier> tiers,
      String defaultTier,
      Map<String, TierDrafters> drafters,
      SpeculationSettings speculation,
      AcceptanceStatsRegistry acceptance,
      GenerationObserver observer) {
    if (!tiers.containsKey(defaultTier)) {
      throw new IllegalArgumentException(
          "default tier " + defaultTier + " is not among " + tiers.keySet());
    }
    if (!drafters.keySet().equals(tiers.keySet())) {
      throw new IllegalArgumentException(
          "drafters are given for tiers " + drafters.keySet() + ", not " + tiers.keySet());
    }
    this.tiers = Map.copyOf(tiers);
    this.defaultTier = defaultTier;
    this.drafters = Map.copyOf(drafters);
    this.speculation = speculation;
    this.acceptance = acceptance;
    this.observer = observer;
  }

  /** An engine whose tiers all allow the same drafters; no observer. */
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
        GenerationObserver.NONE);
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

  /** Generations started by this engine that have not ended. */
  public int inFlight() {
    return inFlight.get();
  }

  /**
   * Starts a generation whose chunks go to {@code writer} on {@code context}.
   *
   * @throws TandemException NOT_FOUND for an unknown model, INVALID_ARGUMENT for a drafter the tier
   *     does not allow
   */
  public GenerationHandle start(GenerationRequest request, Context context, ChunkWriter writer) {
    Tier tier = tier(request.model());
    DraftProposer drafter = drafter(tier, request.speculation().drafter());
    long startNanos = System.nanoTime();
    FirstChunkClock clock = new FirstChunkClock(writer);
    Generation generation =
        new Generation(
            request,
            tier,
            drafter,
            speculation,
            acceptance,
            context,
            clock,
            cause -> observer.drafterFailed(tier, drafter.name(), cause));
    inFlight.incrementAndGet();
    observer.started(request, tier);
    generation
        .completion()
        .onComplete(
            ar -> {
              observer.ended(
                  new GenerationObserver.Ended(
                      ID_PREFIX + NEXT_ID.incrementAndGet(),
                      request,
                      tier,
                      drafter.name(),
                      ar.result() instanceof StreamEnd.Finished f ? f.result() : null,
                      switch (ar.result()) {
                        case StreamEnd.Failed failed -> failed.error();
                        case StreamEnd.Finished f -> null;
                        case null -> ar.cause();
                      },
                      clock.firstChunkNanos() < 0 ? -1 : clock.firstChunkNanos() - startNanos,
                      System.nanoTime() - startNanos));
              if (inFlight.decrementAndGet() == 0 && retired.get()) {
                drained.tryComplete();
              }
            });
    generation.start();
    return generation;
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

  private DraftProposer drafter(Tier tier, String requested) {
    TierDrafters allowed = drafters.get(tier.name());
    String name = requested.equals("auto") ? allowed.defaultName() : requested;
    DraftProposer drafter = allowed.byName().get(name);
    if (drafter == null) {
      throw TandemException.invalid(
          "speculation.drafter",
          "speculation.drafter must be one of "
              + new TreeSet<>(allowed.byName().keySet())
              + " or auto on model "
              + tier.name()
              + ", got "
              + name);
    }
    return drafter;
  }

  private Tier tier(String model) {
    String name = model.equals("auto") ? defaultTier : model;
    Tier tier = tiers.get(name);
    if (tier == null) {
      throw new TandemException(
          ErrorKind.NOT_FOUND,
          "model",
          "model must be one of " + modelIds() + ", got " + model,
          null);
    }
    return tier;
  }

  /** Passes chunks through and notes when the first one with text was written. */
  private static final class FirstChunkClock implements ChunkWriter {
    private final ChunkWriter delegate;
    private long firstChunkNanos = -1;

    FirstChunkClock(ChunkWriter delegate) {
      this.delegate = delegate;
    }

    long firstChunkNanos() {
      return firstChunkNanos;
    }

    @Override
    public void writeDelta(String text, int[] tokens) {
      if (firstChunkNanos < 0 && tokens.length > 0) {
        firstChunkNanos = System.nanoTime();
      }
      delegate.writeDelta(text, tokens);
    }

    @Override
    public boolean writeQueueFull() {
      return delegate.writeQueueFull();
    }

    @Override
    public void drainHandler(Runnable handler) {
      delegate.drainHandler(handler);
    }
  }
}
