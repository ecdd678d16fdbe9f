package dev.tandem.loadtests;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The mixed workload: every request line of the chosen fixture workloads ({@code
 * fixtures/workloads/<name>.jsonl}), shuffled with a fixed seed and served round and round as a
 * Gatling feeder (one {@value #KEY} attribute per virtual user).
 *
 * <p>Threading: the feeder's iterator is called by Gatling under its own lock.
 */
final class WorkloadMix {

  static final String KEY = "request";

  /** One request line of a workload. */
  record Request(String workload, String id, JsonObject line) {
    Request {
      if (!line.containsKey("prompt") && !line.containsKey("messages")) {
        throw new IllegalArgumentException(
            workload + " " + id + ": a request line needs prompt or messages");
      }
    }

    boolean chat() {
      return line.containsKey("messages");
    }

    /** The line's max_tokens, capped by {@code cap} when that is positive. */
    int maxTokens(int cap) {
      int own = line.getInteger("max_tokens", 64);
      return cap > 0 ? Math.min(own, cap) : own;
    }
  }

  private final List<Request> requests;

  private WorkloadMix(List<Request> requests) {
    if (requests.isEmpty()) {
      throw new IllegalArgumentException("the workload mix has no requests");
    }
    this.requests = List.copyOf(requests);
  }

  static WorkloadMix load(Path workloadDir, List<String> names, long seed) {
    List<Request> all = new ArrayList<>();
    for (String name : names) {
      Path file = workloadDir.resolve(name + ".jsonl");
      try {
        for (String text : Files.readAllLines(file)) {
          if (!text.isBlank()) {
            JsonObject line = new JsonObject(text);
            all.add(new Request(name, line.getString("id", name), line));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read workload " + file, e);
      }
    }
    Collections.shuffle(all, new Random(seed));
    return new WorkloadMix(all);
  }

  List<Request> requests() {
    return requests;
  }

  /** An endless feeder over the mix, in its shuffled order. */
  Iterator<Map<String, Object>> feeder() {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Map<String, Object> next() {
        Request r = requests.get(next);
        next = (next + 1) % requests.size();
        return Map.of(KEY, r);
      }
    };
  }

  /**
   * {@code fixtures/workloads} of the checkout: under {@code -Dtandem.home}, else the first parent
   * of the working directory that has it (Maven runs simulations in {@code load-tests/}).
   */
  static Path fixturesDir() {
    String home = System.getProperty("tandem.home", System.getenv("TANDEM_HOME"));
    if (home != null && !home.isBlank()) {
      return Path.of(home, "fixtures", "workloads");
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve("fixtures/workloads");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "fixtures/workloads not found above "
            + Path.of("").toAbsolutePath()
            + "; set -Dtandem.home");
  }
}
