package dev.tandem.router.connections;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/2 frames written by hand (cleartext, prior knowledge), for the rapid-reset flood no client
 * library will send: HEADERS opening a stream, RST_STREAM cancelling it at once, over and over.
 * Header blocks use HPACK literals without indexing or Huffman coding, which every decoder accepts.
 */
final class RawH2 implements AutoCloseable {

  static final int HEADERS = 0x1;
  static final int RST_STREAM = 0x3;
  static final int SETTINGS = 0x4;
  static final int GOAWAY = 0x7;
  static final int ENHANCE_YOUR_CALM = 0xb;
  private static final int CANCEL = 0x8;
  private static final int END_HEADERS = 0x4;
  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  /** A frame as read: type, flags, stream and payload. */
  record Frame(int type, int flags, int stream, byte[] payload) {
    /** A GOAWAY's error code. */
    int goAwayError() {
      return ((payload[4] & 0xff) << 24)
          | ((payload[5] & 0xff) << 16)
          | ((payload[6] & 0xff) << 8)
          | (payload[7] & 0xff);
    }
  }

  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;

  RawH2(int port) throws IOException {
    socket = RawHttp.connect(port);
    out = socket.getOutputStream();
    in = new DataInputStream(socket.getInputStream());
    out.write(PREFACE);
    frame(SETTINGS, 0, 0, new byte[0]);
  }

  /** Opens stream {@code id} with a gRPC Generate request head and no body. */
  void openGenerate(int id) throws IOException {
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    literal(block, ":method", "POST");
    literal(block, ":scheme", "http");
    literal(block, ":path", "/tandem.v1.Generation/Generate");
    literal(block, ":authority", "localhost");
    literal(block, "content-type", "application/grpc");
    literal(block, "te", "trailers");
    frame(HEADERS, END_HEADERS, id, block.toByteArray());
  }

  void reset(int id) throws IOException {
    frame(RST_STREAM, 0, id, new byte[] {0, 0, 0, CANCEL});
  }

  void flush() throws IOException {
    out.flush();
  }

  /**
   * Reads frames until a GOAWAY (returned) or the end of the connection (null). Bounded by the
   * socket's timeout.
   */
  Frame awaitGoAway() throws IOException {
    try {
      while (true) {
        Frame f = read();
        if (f.type() == GOAWAY) {
          return f;
        }
      }
    } catch (EOFException | java.net.SocketException closed) {
      return null;
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no GOAWAY and no close within " + RawHttp.BOUND_MS + " ms", e);
    }
  }

  private Frame read() throws IOException {
    int length =
        (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
    int type = in.readUnsignedByte();
    int flags = in.readUnsignedByte();
    int stream = in.readInt() & 0x7fffffff;
    byte[] payload = new byte[length];
    in.readFully(payload);
    return new Frame(type, flags, stream, payload);
  }

  private void frame(int type, int flags, int stream, byte[] payload) throws IOException {
    int n = payload.length;
    out.write(
        new byte[] {(byte) (n >>> 16), (byte) (n >>> 8), (byte) n, (byte) type, (byte) flags});
    out.write(
        new byte[] {
          (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream
        });
    out.write(payload);
  }

  /** HPACK "literal header field without indexing, new name" (RFC 7541 §6.2.2), lengths < 127. */
  private static void literal(ByteArrayOutputStream block, String name, String value) {
    block.write(0x00);
    byte[] n = name.getBytes(StandardCharsets.US_ASCII);
    byte[] v = value.getBytes(StandardCharsets.US_ASCII);
    block.write(n.length);
    block.writeBytes(n);
    block.write(v.length);
    block.writeBytes(v);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
