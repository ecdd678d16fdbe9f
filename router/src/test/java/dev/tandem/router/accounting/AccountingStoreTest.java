package dev.tandem.router.accounting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The contract on the in-memory store, and what only it has (API keys are store-agnostic). */
class AccountingStoreTest extends AccountingStoreContract {

  @Override
  AccountingStore newStore() {
    return new InMemoryAccountingStore();
  }

  @Override
  int inFlight(AccountingStore store, String tenant) {
    return ((InMemoryAccountingStore) store).inFlight(tenant);
  }

  @Test
  void apiKeysAreCheckedByTheirHashAndNeverNamed() {
    Tenant acme = AccountingStoreContract.tenant(TenantLimits.UNLIMITED);
    ApiKeys keys = new ApiKeys(Map.of(ApiKeys.sha256("sk-acme-1"), acme));
    assertEquals(acme, keys.authenticate("sk-acme-1"));
    var unknown =
        assertThrows(
            dev.tandem.router.errors.TandemException.class, () -> keys.authenticate("sk-guess"));
    assertEquals(dev.tandem.router.errors.ErrorKind.UNAUTHENTICATED, unknown.kind());
    assertTrue(!unknown.getMessage().contains("acme"));
    var missing =
        assertThrows(dev.tandem.router.errors.TandemException.class, () -> keys.authenticate(null));
    assertEquals(dev.tandem.router.errors.ErrorKind.UNAUTHENTICATED, missing.kind());
    assertEquals(Tenant.ANONYMOUS, ApiKeys.anonymous().authenticate(null));
    assertEquals(
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
        ApiKeys.sha256("hello"));
    assertThrows(IllegalArgumentException.class, () -> new ApiKeys(Map.of("sk-plain", acme)));
  }
}
