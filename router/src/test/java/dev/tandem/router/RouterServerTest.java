package dev.tandem.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tandem.router.synthetic.SyntheticRouter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The listener: one server instance per core, each on an event loop of its own, one port. */
class RouterServerTest {

  @Test
  void oneInstancePerCoreEachOnItsOwnEventLoopServesThePort() throws Exception {
    try (SyntheticRouter router = new SyntheticRouter(0, 1.0, 8)) {
      List<io.vertx.core.Context> contexts = router.server.instanceContexts();
      assertEquals(Runtime.getRuntime().availableProcessors(), contexts.size());
      Set<Thread> loops = ConcurrentHashMap.newKeySet();
      for (io.vertx.core.Context context : contexts) {
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        context.runOnContext(v -> thread.complete(Thread.currentThread()));
        loops.add(thread.get(10, TimeUnit.SECONDS));
      }
      assertEquals(contexts.size(), loops.size(), "instances sharing an event loop: " + loops);

      // fresh connections (one client each) are all answered on the one port
      for (int i = 0; i < 2 * contexts.size(); i++) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response =
            client.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + router.port + "/health/live"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
      }
    }
  }
}
