package dev.tandem.router.boot;

import dev.tandem.draft.ModelDrafter;
import dev.tandem.draft.NoDrafter;
import dev.tandem.draft.PromptLookupDrafter;
import dev.tandem.model.Backend;
import dev.tandem.model.Model;
import dev.tandem.model.ModelOptions;
import dev.tandem.model.ModelRuntime;
import dev.tandem.router.RouterServer;
import dev.tandem.router.config.TandemConfig;
import dev.tandem.router.engine.GenerationEngine;
import dev.tandem.router.engine.SpeculationSettings;
import dev.tandem.router.engine.Tier;
import dev.tandem.router.synthetic.PacingTimer;
import dev.tandem.router.synthetic.SyntheticBackend;
import dev.tandem.speccore.DraftProposer;
import dev.tandem.verifier.InProcessVerifier;
import dev.tandem.verifier.client.GrpcVerifier;
import dev.tandem.verifier.client.GrpcVerifierOptions;
import dev.tandem.verifier.engine.EngineOptions;
import dev.tandem.verifier.openai.LogprobsMode;
import dev.tandem.verifier.openai.OpenAiCompatibleVerifier;
import dev.tandem.verifier.openai.OpenAiVerifierOptions;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Builds a running router from a {@link TandemConfig}: the model runtime, each tier's verifier
 * backend, the drafters, the engine and the server. Logs what it chose ({@code drafter=model
 * tier=large verifier=in-process k=adaptive(0..8)}). Closing it releases everything in reverse.
 *
 * <p>Threading: {@link #start} blocks (model loading) and must not run on an event loop; the CLI
 * calls it from its main thread.
 */
public final class TandemRouter implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(TandemRouter.class.getName());

  private final Vertx vertx;
  private final List<AutoCloseable> resources = new ArrayList<>();
  private RouterServer server;
  private SyntheticBackend synthetic;
  private final List<InProcessVerifier> inProcessVerifiers = new ArrayList<>();
  private GenerationEngine engine;
  private int port;

  private TandemRouter(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * Loads the models and starts serving.
   *
   * @param progress receives one line per slow step (model loading), for the CLI to show
   */
  public static TandemRouter start(Vertx vertx, TandemConfig config, Consumer<String> progress)
      throws IOException {
    TandemRouter router = new TandemRouter(vertx);
    try {
      router.build(config, progress);
      return router;
    } catch (IOException | RuntimeException e) {
      router.close();
      throw e;
    }
  }

  private void build(TandemConfig config, Consumer<String> progress) throws IOException {
    ModelRuntime runtime = new ModelRuntime(config.runtime().threads());
    resources.add(runtime);
    ModelOptions modelOptions =
        ModelOptions.DEFAULT.withBackend(Backend.parse(config.runtime().backend()));
    Map<String, Tier> tiers = new LinkedHashMap<>();
    for (TandemConfig.Tier t : config.tiers()) {
      tiers.put(t.name(), tier(t, runtime, modelOptions, progress));
    }
    Map<String, DraftProposer> drafters = new LinkedHashMap<>();
    drafters.put("none", new NoDrafter());
    TandemConfig.Drafting drafting = config.drafting();
    drafters.put(
        "ngram",
        new PromptLookupDrafter(
            Math.min(drafting.ngramMin(), drafting.ngramMax()), drafting.ngramMax()));
    if (synthetic != null) {
      drafters.put("model", synthetic.drafter()); // a synthetic tier drafts without a model
    } else if (drafting.draftModel() != null) {
      drafters.put(
          "model", new ModelDrafter(load(runtime, drafting.draftModel(), modelOptions, progress)));
    }
    String defaultDrafter =
        drafters.containsKey(drafting.defaultDrafter()) ? drafting.defaultDrafter() : "ngram";
    TandemConfig.Speculation s = config.speculation();
    engine =
        new GenerationEngine(
            tiers,
            config.defaultTier(),
            drafters,
            defaultDrafter,
            new SpeculationSettings(
                s.kMax(), s.mode(), s.fixedK(), drafting.draftPricePer1kTokensUsd() / 1000));
    server = new RouterServer(vertx, config, engine);
    port = server.start().toCompletionStage().toCompletableFuture().join();
    LOG.info(
        "tandem router on "
            + config.server().host()
            + ":"
            + port
            + ": tiers="
            + tiers.keySet()
            + " default_tier="
            + config.defaultTier()
            + " drafter="
            + defaultDrafter
            + " (of "
            + drafters.keySet()
            + ") k="
            + (s.mode().equals("fixed")
                ? "fixed(" + s.fixedK() + ")"
                : s.mode() + "(0.." + s.kMax() + ")")
            + " backend="
            + config.runtime().backend()
            + " threads="
            + config.runtime().threads());
  }

  private Tier tier(
      TandemConfig.Tier t, ModelRuntime runtime, ModelOptions options, Consumer<String> progress)
      throws IOException {
    double price = t.pricePer1kTokensUsd() / 1000;
    return switch (t.verifier()) {
      case "in-process" -> {
        Model model = load(runtime, t.modelPath(), options, progress);
        InProcessVerifier verifier =
            new InProcessVerifier(
                modelName(t.modelPath()),
                model,
                EngineOptions.DEFAULTS.withMaxSessions(t.maxSessions()));
        resources.add(verifier);
        inProcessVerifiers.add(verifier);
        yield new Tier(
            t.name(),
            modelName(t.modelPath()),
            verifier,
            TokenizerCodec.of(model.tokenizer(), model.config()),
            model.config().maxPositionEmbeddings(),
            price);
      }
      case "grpc" -> {
        // The tokenizer and context length come from the model directory; the weights stay on
        // the verifier servers.
        dev.tandem.model.Tokenizer tokenizer = dev.tandem.model.Tokenizer.load(t.modelPath());
        resources.add(tokenizer);
        dev.tandem.model.ModelConfig modelConfig = dev.tandem.model.ModelConfig.load(t.modelPath());
        GrpcVerifier verifier =
            new GrpcVerifier(
                vertx, GrpcVerifierOptions.of(modelName(t.modelPath()), t.endpoints()));
        resources.add(verifier);
        progress.accept("tier " + t.name() + ": verifier servers " + t.endpoints());
        yield new Tier(
            t.name(),
            modelName(t.modelPath()),
            verifier,
            TokenizerCodec.of(tokenizer, modelConfig),
            modelConfig.maxPositionEmbeddings(),
            price);
      }
      case "openai" -> {
        TandemConfig.OpenAi o = t.openai();
        dev.tandem.model.Tokenizer tokenizer = dev.tandem.model.Tokenizer.load(t.modelPath());
        resources.add(tokenizer);
        dev.tandem.model.ModelConfig modelConfig = dev.tandem.model.ModelConfig.load(t.modelPath());
        OpenAiVerifierOptions openAiOptions =
            OpenAiVerifierOptions.of(o.baseUrl(), o.servedModel())
                .withTopN(o.topN())
                .withMode(LogprobsMode.parse(o.logprobsMode()));
        if (o.apiKeyEnv() != null && System.getenv(o.apiKeyEnv()) != null) {
          openAiOptions = openAiOptions.withApiKey(System.getenv(o.apiKeyEnv()));
        }
        OpenAiCompatibleVerifier verifier = new OpenAiCompatibleVerifier(vertx, openAiOptions);
        resources.add(verifier);
        progress.accept(
            "tier "
                + t.name()
                + ": OpenAI-compatible verifier "
                + o.baseUrl()
                + " ("
                + verifier.name()
                + "; exact for greedy, approximate for temperature > 0)");
        yield new Tier(
            t.name(),
            verifier.name(),
            verifier,
            TokenizerCodec.of(tokenizer, modelConfig),
            modelConfig.maxPositionEmbeddings(),
            price);
      }
      case "synthetic" -> {
        PacingTimer timer = new PacingTimer(vertx);
        resources.add(timer);
        SyntheticBackend backend =
            new SyntheticBackend(t.synthetic().paceMs(), t.synthetic().alpha(), timer::releaseAt);
        synthetic = backend;
        yield new Tier(t.name(), "synthetic", backend.verifier(), backend.codec(), 1 << 20, price);
      }
      default ->
          throw new IllegalArgumentException(
              "tiers: verifier " + t.verifier() + " is not available in this build");
    };
  }

  private Model load(
      ModelRuntime runtime, Path dir, ModelOptions options, Consumer<String> progress)
      throws IOException {
    long start = System.nanoTime();
    progress.accept("loading model " + dir + " ...");
    Model model = runtime.load(dir, options);
    resources.add(model);
    progress.accept(
        String.format(
            "loaded %s (%s backend) in %.1f s",
            modelName(dir), model.backend(), (System.nanoTime() - start) / 1e9));
    return model;
  }

  private static String modelName(Path dir) {
    return dir.getFileName().toString();
  }

  /** The port the router listens on. */
  public int port() {
    return port;
  }

  /** Sessions open on the in-process verifiers (for leak checks and health). */
  public int openVerifierSessions() {
    return inProcessVerifiers.stream().mapToInt(v -> v.engine().openSessions()).sum();
  }

  /** The synthetic tier's backend, when the config has one (for the overhead benchmark). */
  public Optional<SyntheticBackend> syntheticBackend() {
    return Optional.ofNullable(synthetic);
  }

  public GenerationEngine engine() {
    return engine;
  }

  @Override
  public void close() {
    if (server != null) {
      server.close().toCompletionStage().toCompletableFuture().join();
    }
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        LOG.warning("closing " + resources.get(i) + ": " + e);
      }
    }
  }
}
