package dev.tandem.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.router.synthetic.SyntheticRouter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The OpenAI-compatible HTTP API through the JDK's HTTP client, on the synthetic backend. */
class OpenAiHttpTest {

  static SyntheticRouter router;
  static HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    router = new SyntheticRouter(0, 0.7, 256);
  }

  @AfterAll
  static void stop() {
    router.close();
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Parses an SSE body into its data payloads, checking the event framing on the way. */
  private static List<String> sseData(String body) {
    List<String> data = new ArrayList<>();
    for (String event : body.split("\n\n")) {
      assertTrue(event.startsWith("data: "), "every event is one data line: " + event);
      data.add(event.substring("data: ".length()));
    }
    return data;
  }

  @Test
  void completionReturnsTextFinishReasonAndUsage() throws Exception {
    HttpResponse<String> response =
        post("/v1/completions", "{\"model\":\"large\",\"prompt\":\"Hi\",\"max_tokens\":12}");
    assertEquals(200, response.statusCode(), response.body());
    JsonObject body = new JsonObject(response.body());
    assertEquals("text_completion", body.getString("object"));
    assertTrue(body.getString("id").startsWith("cmpl-"));
    JsonObject choice = body.getJsonArray("choices").getJsonObject(0);
    assertEquals(SyntheticRouter.expectedText(12), choice.getString("text"));
    assertEquals("length", choice.getString("finish_reason"));
    JsonObject usage = body.getJsonObject("usage");
    assertEquals(2, usage.getInteger("prompt_tokens"));
    assertEquals(12, usage.getInteger("completion_tokens"));
    assertEquals(14, usage.getInteger("total_tokens"));
    assertTrue(usage.getJsonObject("tandem").getInteger("verifier_calls") > 0);
  }

  @Test
  void chatStreamIsOpenAiServerSentEventsEndingWithDone() throws Exception {
    HttpResponse<String> response =
        post(
            "/v1/chat/completions",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":60,\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true},\"stop\":[\"lazy\"]}");
    assertEquals(200, response.statusCode());
    assertEquals("text/event-stream", response.headers().firstValue("content-type").orElse(""));
    List<String> data = sseData(response.body());
    assertEquals("[DONE]", data.get(data.size() - 1));
    StringBuilder text = new StringBuilder();
    String finish = null;
    JsonObject usage = null;
    for (int i = 0; i < data.size() - 1; i++) {
      JsonObject chunk = new JsonObject(data.get(i));
      assertEquals("chat.completion.chunk", chunk.getString("object"));
      JsonArray choices = chunk.getJsonArray("choices");
      if (choices.isEmpty()) {
        usage = chunk.getJsonObject("usage");
        continue;
      }
      JsonObject choice = choices.getJsonObject(0);
      if (i == 0) {
        assertEquals("assistant", choice.getJsonObject("delta").getString("role"));
      }
      text.append(choice.getJsonObject("delta").getString("content", ""));
      if (choice.getValue("finish_reason") != null) {
        finish = choice.getString("finish_reason");
      }
    }
    assertEquals("The quick brown fox jumps over the ", text.toString());
    assertEquals("stop", finish);
    assertTrue(usage != null && usage.getInteger("completion_tokens") > 0, "usage chunk sent last");
  }

  @Test
  void clientThatDisconnectsMidStreamFreesItsVerifierSession() throws Exception {
    try (SyntheticRouter paced = new SyntheticRouter(5, 0.5, 4096)) {
      HttpClient http1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpResponse<java.io.InputStream> response =
          http1.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + paced.port + "/v1/completions"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"prompt\":\"p\",\"max_tokens\":4000,\"stream\":true}"))
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream());
      java.io.InputStream body = response.body();
      assertTrue(body.read(new byte[64]) > 0, "the stream started");
      assertEquals(1, paced.backend.openSessions());
      body.close();
      http1.close();
      assertEquals(
          0,
          Eventually.zero(paced.backend::openSessions, Duration.ofSeconds(30)),
          "the disconnect cancelled the generation");
    }
  }

  @Test
  void modelsListsTheTiersAndAuto() throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port + "/v1/models"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonObject body = new JsonObject(response.body());
    assertEquals("list", body.getString("object"));
    assertEquals(
        List.of("large", "auto"),
        body.getJsonArray("data").stream().map(m -> ((JsonObject) m).getString("id")).toList());
  }

  @Test
  void badRequestsGetOpenAiErrorsNamingTheFieldAndTheServerKeepsServing() throws Exception {
    record Case(String body, int status, String param, String message) {}
    List<Case> cases =
        List.of(
            new Case("{\"prompt\":\"\"}", 400, "prompt", "prompt must be a non-empty string"),
            new Case(
                "{\"prompt\":\"a\",\"max_tokens\":0}",
                400,
                "max_tokens",
                "max_tokens must be in 1..256, got 0"),
            new Case(
                "{\"prompt\":\"a\",\"max_tokens\":1000000}",
                400,
                "max_tokens",
                "max_tokens must be in 1..256, got 1000000"),
            new Case(
                "{\"prompt\":\"a\",\"temperature\":-0.5}",
                400,
                "temperature",
                "temperature must be in 0..2.0, got -0.5"),
            new Case(
                "{\"prompt\":\"a\",\"max_tokens\":\"ten\"}",
                400,
                "max_tokens",
                "max_tokens must be a number, got a string"),
            new Case(
                "{\"prompt\":\"a\",\"model\":\"gpt-9\"}",
                404,
                "model",
                "model must be one of [large, auto], got gpt-9"),
            new Case("{\"prompt\": \"a\", ", 400, null, "not valid JSON"),
            new Case("[1,2]", 400, null, "not valid JSON"),
            new Case(
                "{\"prompt\":\"" + "x".repeat(70_000) + "\"}", 413, null, "at most 65536 bytes"),
            new Case(
                "{\"prompt\":\"a\",\"speculation\":{\"mode\":\"sometimes\"}}",
                400,
                "speculation.mode",
                "speculation.mode must be auto, off or fixed"));
    for (Case c : cases) {
      HttpResponse<String> response = post("/v1/completions", c.body());
      assertEquals(
          c.status(),
          response.statusCode(),
          c.body().substring(0, Math.min(60, c.body().length())) + " -> " + response.body());
      JsonObject error = new JsonObject(response.body()).getJsonObject("error");
      assertTrue(error.getString("message").contains(c.message()), error.encode());
      if (c.param() == null) {
        assertNull(error.getValue("param"));
      } else {
        assertEquals(c.param(), error.getString("param"));
      }
    }
    assertEquals(
        200, post("/v1/completions", "{\"prompt\":\"still here\",\"max_tokens\":2}").statusCode());
  }
}
