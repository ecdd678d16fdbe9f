package dev.tandem.router.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script run atomically by Redis: sent by its SHA-1 ({@code EVALSHA}, one round trip), and in
 * full ({@code EVAL}) only when Redis does not know it yet (a fresh or restarted server answers
 * {@code NOSCRIPT}). Under Redis Cluster every key a script touches must hash to one slot: callers
 * put one {@code {hash tag}} in all of them.
 *
 * <p>Threading: immutable; {@link #run} may be called from any thread.
 */
public final class RedisScript {

  private final String op;
  private final String source;
  private final String sha;

  /**
   * @param op the script's name in metrics ({@code tandem_redis_errors_total{op}})
   * @param source Lua source
   */
  public RedisScript(String op, String source) {
    this.op = op;
    this.source = source;
    try {
      this.sha =
          HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-1")
                      .digest(source.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-1", e);
    }
  }

  /** The script in the class-path resource {@code name} next to {@code owner}. */
  public static RedisScript resource(Class<?> owner, String name, String op) {
    try (InputStream in = owner.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing script resource " + name + " of " + owner);
      }
      return new RedisScript(op, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs the script with {@code keys} (KEYS) and {@code args} (ARGV). */
  public Future<Response> run(RedisConnection redis, List<String> keys, List<String> args) {
    return redis
        .send(op, request(Command.EVALSHA, sha, keys, args))
        .recover(
            e ->
                String.valueOf(e.getMessage()).startsWith("NOSCRIPT")
                    ? redis.send(op, request(Command.EVAL, source, keys, args))
                    : Future.failedFuture(e));
  }

  private static Request request(
      Command command, String script, List<String> keys, List<String> args) {
    Request request = Request.cmd(command).arg(script).arg(keys.size());
    keys.forEach(request::arg);
    args.forEach(request::arg);
    return request;
  }

  public String op() {
    return op;
  }

  public String source() {
    return source;
  }
}
