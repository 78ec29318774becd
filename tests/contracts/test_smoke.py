from tests.contracts.conftest import NMR, events


def test_smoke(pool, fund, alice, settler, next_round, factory):
    fund(alice, 100 * NMR, pool)
    r = factory.current_round()
    pool.requestDeposit(100 * NMR, alice, alice, sender=alice)
    assert events(pool, "DepositRequest")[0].requestId == r
    assert pool.maxDeposit(alice) == 100 * NMR  # caught up: converted at once
    pool.deposit(100 * NMR, alice, sender=alice)
    assert pool.balanceOf(alice) == 100 * NMR
    next_round()
    pool.settle(r, 10**16, b"\x01" * 32, sender=settler)
    assert pool.totalAssets() > 100 * NMR
