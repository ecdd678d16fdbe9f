/**
 * Drafters implementing {@code DraftProposer}: the small-model drafter, the prompt-lookup (n-gram)
 * drafter, and none.
 */
package dev.tandem.draft;
