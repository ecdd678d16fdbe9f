package dev.tandem.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The generated part of BENCHMARKS.md: written between two marker comments, so that the
 * hand-written sections around it stay as they are; appended at the end the first time.
 */
public final class ReportDocument {

  static final String BEGIN = "<!-- tandem bench report: generated, do not edit by hand -->";
  static final String END = "<!-- tandem bench report: end -->";

  private final StringBuilder body = new StringBuilder();

  public ReportDocument add(String markdown) {
    body.append(markdown);
    if (!markdown.endsWith("\n")) {
      body.append('\n');
    }
    body.append('\n');
    return this;
  }

  /** Replaces the generated part of {@code file} (creating the file if needed). */
  public void writeInto(Path file) throws IOException {
    String existing = Files.exists(file) ? Files.readString(file) : "";
    Files.writeString(file, merge(existing, body.toString()));
  }

  static String merge(String existing, String generated) {
    String block = BEGIN + "\n\n" + generated.strip() + "\n\n" + END + "\n";
    int begin = existing.indexOf(BEGIN);
    int end = existing.indexOf(END);
    if (begin >= 0 && end > begin) {
      String after = existing.substring(end + END.length()).replaceFirst("^\n", "");
      return existing.substring(0, begin) + block + after;
    }
    String sep =
        existing.isEmpty() || existing.endsWith("\n\n")
            ? ""
            : existing.endsWith("\n") ? "\n" : "\n\n";
    return existing + sep + block;
  }
}
