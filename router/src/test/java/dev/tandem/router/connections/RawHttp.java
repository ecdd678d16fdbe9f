package dev.tandem.router.connections;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 spoken by hand over a socket, for clients that misbehave in ways no HTTP client library
 * allows: headers too large, a head sent a byte at a time, a body larger than announced. Every read
 * is bounded (the socket's timeout), so a test waits at most that long for the server.
 */
final class RawHttp {

  /** The longest a test waits for the server to answer or close (far beyond what it needs). */
  static final int BOUND_MS = 30_000;

  private RawHttp() {}

  static Socket connect(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(BOUND_MS);
    socket.setTcpNoDelay(true);
    return socket;
  }

  /** Sends {@code request} on a new connection and returns the status code of the answer. */
  static int status(int port, byte[] request) throws IOException {
    try (Socket socket = connect(port)) {
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      return statusOf(readHead(socket.getInputStream()));
    }
  }

  static int status(int port, String request) throws IOException {
    return status(port, request.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Reads up to the blank line that ends a response head. */
  static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed after " + head.size() + " bytes: " + head);
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  static int statusOf(String head) {
    return Integer.parseInt(head.substring(9, 12));
  }

  /**
   * Reads until the server closes the connection (or resets it); fails when it is still open after
   * {@link #BOUND_MS}.
   */
  static void awaitClosed(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[8192];
    try {
      while (in.read(buffer) >= 0) {
        // discard whatever the server still sends
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the server kept the connection open for " + BOUND_MS + " ms", e);
    } catch (IOException reset) {
      // a reset is a close too
    }
  }

  /** A POST with a JSON body and a Content-Length. */
  static byte[] post(String path, byte[] json) {
    String head =
        "POST "
            + path
            + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            + "Content-Length: "
            + json.length
            + "\r\n\r\n";
    byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = new byte[h.length + json.length];
    System.arraycopy(h, 0, all, 0, h.length);
    System.arraycopy(json, 0, all, h.length, json.length);
    return all;
  }
}
