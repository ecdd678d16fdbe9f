package dev.tandem.router.connections;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.function.Consumer;

/**
 * Closes an HTTP/1.x connection that does not complete a request head in time: the clock starts
 * when the handler is added (the connection opened) and again when the last response has been
 * written whole (a keep-alive connection waiting for its next request), and stops when the decoder
 * hands over a request head. A client that sends its headers a byte at a time (slowloris) keeps the
 * connection busy but never stops the clock. Sits right after Vert.x's HTTP/1.x decoder, before its
 * handler.
 *
 * <p>On cleartext HTTP/1.x Vert.x hands a connection over (and this handler is added) only once the
 * decoder has produced the first request head, so that head never passes here. Its content (at
 * least the last, maybe empty, part) still does: when the first request message to pass is content
 * rather than a head, and no response has been written whole yet, the head came before this handler
 * and counts as read; a response written whole before any request message passed answered that
 * head. Without this the clock started at handover ran on through the first request and closed it
 * mid-stream once the timeout passed (an SSE stream whose first token took longer than {@code
 * server.header_timeout_ms} on a busy machine: "Connection was closed" in the SSE load test).
 *
 * <p>Threading: Netty calls it on the connection's event loop, and the timer runs there too.
 */
final class HeadTimeout extends ChannelDuplexHandler {

  private final long timeoutNanos;
  private final ConnectionTimers timers;
  private final Consumer<ChannelHandlerContext> onTimeout;
  private ConnectionTimers.Timer timer;
  private int unanswered; // request heads read whose response has not been written whole
  private boolean readRequestMessage; // whether a request head or content has passed here yet
  private boolean answeredEarlyHead; // a response was written whole before any request message

  /**
   * @param onTimeout called on the event loop when the time is up, before the channel is closed
   */
  HeadTimeout(
      long timeoutNanos, ConnectionTimers timers, Consumer<ChannelHandlerContext> onTimeout) {
    this.timeoutNanos = timeoutNanos;
    this.timers = timers;
    this.onTimeout = onTimeout;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    start(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    stop();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    stop();
    super.channelInactive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    boolean earlyHead = msg instanceof HttpContent && !readRequestMessage && !answeredEarlyHead;
    if (msg instanceof HttpRequest || earlyHead) {
      unanswered++; // a head, or content whose head was read before this handler was added
      stop();
    }
    if (msg instanceof HttpObject) {
      readRequestMessage = true;
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    if (msg instanceof LastHttpContent) {
      if (unanswered > 0 && --unanswered == 0) {
        start(ctx);
      } else if (unanswered == 0 && !readRequestMessage) {
        answeredEarlyHead = true; // the head read before this handler was added is answered
        start(ctx);
      }
    }
    super.write(ctx, msg, promise);
  }

  private void start(ChannelHandlerContext ctx) {
    stop();
    timer =
        timers.schedule(
            ctx.executor(),
            () -> {
              timer = null;
              if (ctx.pipeline().get(HttpRequestDecoder.class) == null) {
                // upgraded to h2c: no more HTTP/1.x heads on this connection
                ctx.pipeline().remove(this);
                return;
              }
              onTimeout.accept(ctx);
              ctx.channel().close();
            },
            timeoutNanos);
  }

  private void stop() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }
}
