package dev.tandem.router.connections;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
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
 * <p>Threading: Netty calls it on the connection's event loop, and the timer runs there too.
 */
final class HeadTimeout extends ChannelDuplexHandler {

  private final long timeoutNanos;
  private final ConnectionTimers timers;
  private final Consumer<ChannelHandlerContext> onTimeout;
  private ConnectionTimers.Timer timer;
  private int unanswered; // request heads read whose response has not been written whole

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
    if (msg instanceof HttpRequest) {
      unanswered++;
      stop();
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    if (msg instanceof LastHttpContent && unanswered > 0 && --unanswered == 0) {
      start(ctx);
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
