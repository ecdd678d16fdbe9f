package dev.tandem.speccore;

/**
 * A constant draft length; {@code k = 0} is speculation off.
 *
 * @param k 0..{@link DraftBlock#MAX_DRAFT}
 */
public record FixedDraftLength(int k) implements DraftLengthChooser {

  public FixedDraftLength {
    DraftBlock.requireLength("k", k);
  }

  @Override
  public int chooseK(LoopState state) {
    return k;
  }

  @Override
  public String toString() {
    return k == 0 ? "off" : "fixed(k=" + k + ")";
  }
}
