package dev.tandem.bench.cache;

import dev.tandem.bench.router.Percentiles;
import dev.tandem.model.Model;
import dev.tandem.model.ModelOptions;
import dev.tandem.model.ModelRuntime;
import dev.tandem.router.accounting.ApiKeys;
import dev.tandem.router.boot.TandemRouter;
import dev.tandem.router.cache.CacheSettings;
import dev.tandem.router.cache.DraftModelEmbedder;
import dev.tandem.router.cache.HashedNgramEmbedder;
import dev.tandem.router.config.FileConfigSource;
import dev.tandem.router.config.TandemConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code ./tandem bench cache}: the response cache on {@code fixtures/workloads/cache.jsonl}.
 *
 * <ol>
 *   <li><b>Embedders</b>: how well each embedder's cosine separates the 12 paraphrases from the 16
 *       near misses (ROC AUC, mean cosines), and with each guard (off, facts, terms) the hits and
 *       false hits at the default threshold and the lowest threshold with no false hit.
 *   <li><b>End to end</b> through the embedded router (fixture models, HTTP SSE), default settings,
 *       each request asking {@code cache: "semantic"}: per pair (its own tenant, so pairs do not
 *       share entries) prompt a, then b, then b again with {@code cache: "bypass"} (what b costs
 *       and how long its first token takes without the cache). Reports hit rate per kind, false
 *       hits, verifier cost saved and TTFT of hits vs misses.
 * </ol>
 *
 * <p>Usage: {@code CacheBench HOME [--max-tokens N] [--redis]}; {@code --redis} runs only the end
 * to end part, with the router's cache and accounting on a throwaway redis-server, and counts its
 * commands per request.
 */
public final class CacheBench {

  private CacheBench() {}

  public static void main(String[] args) throws Exception {
    Path home = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
    int maxTokens = 32;
    boolean redis = false;
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--max-tokens") && i + 1 < args.length) {
        maxTokens = Integer.parseInt(args[i + 1]);
      } else if (args[i].equals("--redis")) {
        redis = true;
      }
    }
    List<CachePair> pairs = CachePair.load(home);
    if (!redis) {
      separation(home, pairs, context(home));
      endToEnd(home, pairs, maxTokens, null);
      return;
    }
    try (BenchRedis server = BenchRedis.start()) {
      endToEnd(home, pairs, maxTokens, server);
    }
  }

  /**
   * A context both prompts of a pair share (the first three prose prompts of the fixtures, which
   * hold negations and numbers of their own): a long common prefix raises every cosine, which is
   * where a bare threshold lets near misses through.
   */
  static String context(Path home) throws java.io.IOException {
    StringBuilder b = new StringBuilder();
    List<String> lines =
        java.nio.file.Files.readAllLines(home.resolve("fixtures/workloads/prose.jsonl"));
    for (String line : lines.subList(0, 3)) {
      b.append(new JsonObject(line).getString("prompt")).append("\n\n");
    }
    return b.append("Question: ").toString();
  }

  static List<CachePair> withContext(List<CachePair> pairs, String context) {
    return pairs.stream()
        .map(p -> new CachePair(p.id(), context + p.a(), context + p.b(), p.expectHit(), p.kind()))
        .toList();
  }

  static void separation(Path home, List<CachePair> pairs, String context) throws Exception {
    double t = CacheSettings.DEFAULT_THRESHOLD;
    List<CachePair> long_ = withContext(pairs, context);
    int words = context.split("\\s+").length;
    System.out.println("### Embedders on the cache workload (12 paraphrases, 16 near misses)\n");
    System.out.println(
        "Each cell: paraphrase hits / 12, false hits / 16 at threshold "
            + t
            + "; \"safe\": the lowest threshold (0.01 steps) with no false hit, and the hits there."
            + " \"+ context\": both prompts after the same "
            + words
            + "-word context.\n");
    System.out.println(
        "| embedder | AUC | mean cos paraphrase | mean cos near miss | mean cos exact |"
            + " guard off | off: safe → hits | guard facts | facts: safe → hits | guard terms |"
            + " terms: safe → hits |");
    System.out.println("|---|---:|---:|---:|---:|---|---|---|---|---|---|");
    HashedNgramEmbedder terms = HashedNgramEmbedder.terms();
    HashedNgramEmbedder chars = new HashedNgramEmbedder(1024, HashedNgramEmbedder.Mode.CHARS);
    System.out.println(
        EmbedderSeparation.row(
            "ngram (content terms, default)", EmbedderSeparation.score(terms, pairs), t));
    System.out.println(
        EmbedderSeparation.row("ngram + context", EmbedderSeparation.score(terms, long_), t));
    System.out.println(
        EmbedderSeparation.row(
            "ngram-chars (raw 3..5-grams)", EmbedderSeparation.score(chars, pairs), t));
    System.out.println(
        EmbedderSeparation.row("ngram-chars + context", EmbedderSeparation.score(chars, long_), t));
    try (ModelRuntime runtime = new ModelRuntime(1);
        Model draft =
            runtime.load(home.resolve("fixtures/models/tandem-draft"), ModelOptions.DEFAULT)) {
      DraftModelEmbedder model = new DraftModelEmbedder(draft);
      System.out.println(
          EmbedderSeparation.row(
              "draft-model (mean-pooled hidden states)",
              EmbedderSeparation.score(model, pairs),
              t));
      System.out.println(
          EmbedderSeparation.row(
              "draft-model + context", EmbedderSeparation.score(model, long_), t));
    }
    System.out.println();
  }

  /** One streamed request as the client saw it. */
  record Reply(boolean cached, String kind, double similarity, double costUsd, long ttftNanos) {}

  static void endToEnd(Path home, List<CachePair> pairs, int maxTokens, BenchRedis redis)
      throws Exception {
    Vertx vertx = Vertx.vertx();
    JsonArray tenants = new JsonArray();
    for (int i = 0; i <= pairs.size(); i++) {
      tenants.add(
          new JsonObject()
              .put("name", "t" + i)
              .put("api_key_sha256", new JsonArray().add(ApiKeys.sha256("sk-t" + i)))
              .put("limits", new JsonObject()));
    }
    JsonObject overrides =
        new JsonObject()
            .put("server", new JsonObject().put("port", 0))
            .put("reload", new JsonObject().put("watch", false))
            .put("tenants", tenants);
    if (redis != null) {
      overrides.put(
          "redis",
          new JsonObject()
              .put("endpoints", new JsonArray().add(redis.url()))
              .put("timeout_ms", 5000));
    }
    TandemConfig config =
        new FileConfigSource(vertx, home, Optional.empty(), overrides)
            .load()
            .toCompletionStage()
            .toCompletableFuture()
            .join();
    TandemRouter router = TandemRouter.start(vertx, config, line -> {});
    try {
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + router.port() + "/v1/completions";
      // warm-up: JIT and model caches, on a tenant no pair uses
      for (int w = 0; w < 3; w++) {
        for (CachePair p : pairs.subList(0, 6)) {
          send(http, base, "sk-t" + pairs.size(), p.a(), maxTokens, "semantic");
        }
      }
      java.util.Map<String, Long> before = redis == null ? null : redis.calls();
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < pairs.size(); i++) {
        CachePair p = pairs.get(i);
        String key = "sk-t" + i;
        Reply a = send(http, base, key, p.a(), maxTokens, "semantic");
        Reply b = send(http, base, key, p.b(), maxTokens, "semantic");
        Reply bypass = send(http, base, key, p.b(), maxTokens, "bypass");
        rows.add(new Row(p, a, b, bypass));
      }
      if (redis != null) {
        roundTrips(before, redis.calls(), rows);
      }
      report(rows, maxTokens);
      repeatedTtft(http, base, "sk-t" + pairs.size(), pairs.get(0).a(), maxTokens);
    } finally {
      router.close();
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }

  record Row(CachePair pair, Reply a, Reply b, Reply bypass) {}

  /** Redis commands per request during the pair phase, cache and accounting apart. */
  static void roundTrips(
      java.util.Map<String, Long> before, java.util.Map<String, Long> after, List<Row> rows) {
    int requests = rows.size() * 3;
    System.out.println(
        "### Redis commands during the pair phase ("
            + requests
            + " requests: a and b with cache semantic, b with bypass)\n");
    System.out.println("| command | calls | per request |");
    System.out.println("|---|---:|---:|");
    long total = 0;
    for (var e : after.entrySet()) {
      long calls = e.getValue() - before.getOrDefault(e.getKey(), 0L);
      if (calls > 0 && !e.getKey().equals("info")) {
        total += calls;
        System.out.printf(
            Locale.ROOT, "| %s | %d | %.2f |%n", e.getKey(), calls, (double) calls / requests);
      }
    }
    System.out.printf(Locale.ROOT, "| all | %d | %.2f |%n%n", total, (double) total / requests);
  }

  /** One prompt 40 times from the cache and 40 times generated (bypass), interleaved. */
  static void repeatedTtft(HttpClient http, String url, String key, String prompt, int maxTokens)
      throws Exception {
    send(http, url, key, prompt, maxTokens, "auto");
    List<Long> hits = new ArrayList<>();
    List<Long> misses = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Reply hit = send(http, url, key, prompt, maxTokens, "auto");
      if (!hit.cached()) {
        throw new IllegalStateException("expected an exact hit");
      }
      hits.add(hit.ttftNanos());
      misses.add(send(http, url, key, prompt, maxTokens, "bypass").ttftNanos());
    }
    System.out.println(
        "\n| TTFT, one prompt 40× each, interleaved | n | p50 ms | p90 ms | max ms |");
    System.out.println("|---|---:|---:|---:|---:|");
    ttftRow("exact hit", hits);
    ttftRow("generated (bypass)", misses);
  }

  static void report(List<Row> rows, int maxTokens) {
    System.out.println(
        "### End to end (embedded router, HTTP SSE, large tier, greedy, max_tokens "
            + maxTokens
            + ", default cache settings, requests ask cache: semantic)\n");
    System.out.println("| pair kind | pairs | b served from the cache | as exact | as semantic |");
    System.out.println("|---|---:|---:|---:|---:|");
    for (String kind : List.of("exact", "paraphrase", "negation", "number", "name", "topic")) {
      List<Row> of = rows.stream().filter(r -> r.pair().kind().equals(kind)).toList();
      long hits = of.stream().filter(r -> r.b().cached()).count();
      long exact = of.stream().filter(r -> "exact".equals(r.b().kind())).count();
      long semantic = of.stream().filter(r -> "semantic".equals(r.b().kind())).count();
      System.out.printf(
          Locale.ROOT,
          "| %s | %d | %d (%.0f %%) | %d | %d |%n",
          kind,
          of.size(),
          hits,
          100.0 * hits / of.size(),
          exact,
          semantic);
    }
    long falseHits = rows.stream().filter(r -> r.pair().mustNotMatch() && r.b().cached()).count();
    long mustNot = rows.stream().filter(r -> r.pair().mustNotMatch()).count();
    double withCache = rows.stream().mapToDouble(r -> r.b().costUsd()).sum();
    double without = rows.stream().mapToDouble(r -> r.bypass().costUsd()).sum();
    System.out.printf(
        Locale.ROOT,
        "%nFalse hits on the must-not-match set: %d of %d. Verifier cost of the %d b requests:"
            + " %.6f USD with the cache, %.6f USD without (bypass): %.1f %% saved.%n",
        falseHits,
        mustNot,
        rows.size(),
        withCache,
        without,
        100 * (1 - withCache / without));
    for (Row r : rows) {
      if (r.b().cached() && r.pair().kind().equals("paraphrase")) {
        System.out.printf(
            Locale.ROOT, "  semantic hit %s similarity %.4f%n", r.pair().id(), r.b().similarity());
      }
    }
    List<Long> exactHits = new ArrayList<>();
    List<Long> semanticHits = new ArrayList<>();
    List<Long> misses = new ArrayList<>();
    for (Row r : rows) {
      if ("exact".equals(r.b().kind())) {
        exactHits.add(r.b().ttftNanos());
      } else if ("semantic".equals(r.b().kind())) {
        semanticHits.add(r.b().ttftNanos());
      }
      misses.add(r.bypass().ttftNanos());
    }
    System.out.println("\n| TTFT (client, SSE) | n | p50 ms | p90 ms | max ms |");
    System.out.println("|---|---:|---:|---:|---:|");
    ttftRow("exact hit", exactHits);
    ttftRow("semantic hit", semanticHits);
    ttftRow("miss (b with bypass: generated)", misses);
  }

  static void ttftRow(String name, List<Long> nanos) {
    if (nanos.isEmpty()) {
      System.out.printf("| %s | 0 | - | - | - |%n", name);
      return;
    }
    Percentiles ms = new Percentiles(nanos.stream().map(n -> n / 1e6).toList());
    System.out.printf(
        Locale.ROOT,
        "| %s | %d | %.2f | %.2f | %.2f |%n",
        name,
        ms.count(),
        ms.at(50),
        ms.at(90),
        ms.at(100));
  }

  static Reply send(
      HttpClient http, String url, String key, String prompt, int maxTokens, String cache)
      throws Exception {
    JsonObject body =
        new JsonObject()
            .put("model", "large")
            .put("prompt", prompt)
            .put("max_tokens", maxTokens)
            .put("temperature", 0)
            .put("cache", cache)
            .put("stream", true)
            .put("stream_options", new JsonObject().put("include_usage", true));
    long start = System.nanoTime();
    HttpResponse<java.util.stream.Stream<String>> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
                .build(),
            HttpResponse.BodyHandlers.ofLines());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("HTTP " + response.statusCode());
    }
    long ttft = -1;
    JsonObject usage = null;
    Iterator<String> lines = response.body().iterator();
    while (lines.hasNext()) {
      String line = lines.next();
      if (!line.startsWith("data: ") || line.equals("data: [DONE]")) {
        continue;
      }
      JsonObject event = new JsonObject(line.substring(6));
      JsonArray choices = event.getJsonArray("choices");
      if (ttft < 0 && !choices.isEmpty()) {
        String text = choices.getJsonObject(0).getString("text", "");
        if (!text.isEmpty()) {
          ttft = System.nanoTime() - start;
        }
      }
      if (event.containsKey("usage")) {
        usage = event.getJsonObject("usage").getJsonObject("tandem");
      }
    }
    if (usage == null) {
      throw new IllegalStateException("no usage chunk");
    }
    JsonObject cache1 = usage.getJsonObject("cache");
    return new Reply(
        usage.getBoolean("cached"),
        cache1 == null ? null : cache1.getString("kind"),
        cache1 == null ? 0 : cache1.getDouble("similarity"),
        usage.getDouble("cost_usd"),
        ttft);
  }
}
