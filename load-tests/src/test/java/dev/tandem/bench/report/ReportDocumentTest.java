package dev.tandem.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Given a hand-written BENCHMARKS.md, expect only the part between the markers rewritten. */
class ReportDocumentTest {

  private static final String B = ReportDocument.BEGIN;
  private static final String E = ReportDocument.END;

  @Test
  void theFirstReportIsAppendedAfterTheHandWrittenText() {
    assertEquals(
        "# Benchmarks\n\nintro\n\n" + B + "\n\n## Report\n\n" + E + "\n",
        ReportDocument.merge("# Benchmarks\n\nintro\n", "## Report\n"));
  }

  @Test
  void aLaterReportReplacesOnlyTheGeneratedPart() {
    String before = "# Benchmarks\n\n" + B + "\n\nold figures\n\n" + E + "\n\n## Hand-written\n";
    assertEquals(
        "# Benchmarks\n\n" + B + "\n\nnew figures\n\n" + E + "\n\n## Hand-written\n",
        ReportDocument.merge(before, "new figures"));
  }
}
