package dev.tandem.router.cli;

import java.nio.file.Path;

/** Where relative paths of the embedded default (the bundled fixture models) are resolved. */
public final class TandemHome {

  private TandemHome() {}

  /** {@code TANDEM_HOME} (set by the {@code ./tandem} launcher), else the working directory. */
  public static Path path() {
    String home = System.getenv("TANDEM_HOME");
    return Path.of(home == null || home.isBlank() ? "." : home).toAbsolutePath().normalize();
  }
}
