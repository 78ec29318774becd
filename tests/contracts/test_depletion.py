"""A pool whose price collapses is closed as depleted; share counts stay bounded (finding 3).

In a near-empty pool each losing round burns the last wei (losses round up) and each 1-wei
deposit at zero assets mints `supply + 1` shares, doubling the supply every cycle. Left alone,
after ~60 cycles an honest depositor's shares no longer fit the queue's packed field and its
NMR freezes. The pool never converts a deposit below MIN_PRICE (1e-6 NMR per share): the
settlement that takes the price below it closes the pool, pending deposits come back in full.
"""

import boa
import pytest

from tests.contracts.conftest import NMR, events

MIN_PRICE = 10**12
DEPLETED = 4
LOSS = -5 * 10**16
DIGEST = b"\0" * 32


@pytest.fixture
def near_empty(pool, fund, alice, bob):
    fund(alice, 10**6, pool)
    fund(bob, 1_000 * NMR, pool)
    pool.requestDeposit(1, alice, alice, sender=alice)  # caught up: one share for one wei
    return pool


def cycle(pool, alice, settler, next_round):
    """One attack cycle: a losing round burns the last wei, then a 1-wei deposit."""
    r = pool.last_settled_round() + 1
    next_round()
    pool.settle(r, LOSS, DIGEST, sender=settler)
    if not pool.closure():
        pool.requestDeposit(1, alice, alice, sender=alice)


def test_dust_cycles__close_the_pool_before_shares_explode(near_empty, alice, settler, next_round):
    pool = near_empty
    for i in range(60):  # noqa: B007 (read after the loop)
        cycle(pool, alice, settler, next_round)
        if pool.closure():
            break
    assert pool.closure() == DEPLETED, "the pool should have closed as depleted"
    assert i < 30  # the price halves each cycle: ~20 cycles reach 1e-6
    assert pool.totalSupply() < 2**104
    assert pool.price_per_share() < MIN_PRICE
    with boa.reverts("pool: closed"):
        pool.requestDeposit(1, alice, alice, sender=alice)


def test_dust_cycles__an_honest_deposit_in_flight_comes_back_in_full(
    near_empty, alice, bob, settler, next_round, nmr
):
    pool = near_empty
    # each settled loss halves the price: cycle until the next one takes it below the floor,
    # then let bob's 1,000 NMR wait behind that round
    while pool.price_per_share() // 2 >= MIN_PRICE:
        cycle(pool, alice, settler, next_round)
    pool.last_settled_round() + 1
    next_round()
    bob_round = pool.current_round()
    pool.requestDeposit(1_000 * NMR, bob, bob, sender=bob)  # converts after round r settles
    while not pool.closure():
        pool.settle(pool.last_settled_round() + 1, LOSS, DIGEST, sender=settler)
        if not pool.closure():
            next_round()
    assert pool.closure() == DEPLETED
    assert pool.pendingDepositRequest(bob_round, bob) == 1_000 * NMR  # never converted at the collapsed price
    next_round(3)  # its round has long closed: a closed pool lets it go anyway
    assert pool.cancelDepositRequest(bob_round, bob, bob, sender=bob) == 1_000 * NMR
    assert nmr.balanceOf(bob) == 1_000 * NMR
    assert pool.totalSupply() < 2**104


def test_depleted__holders_still_redeem_what_is_left(near_empty, alice, settler, next_round):
    pool = near_empty
    while not pool.closure():
        cycle(pool, alice, settler, next_round)
    shares = pool.balanceOf(alice) + pool.maxMint(alice)
    if pool.maxMint(alice):
        pool.mint(pool.maxMint(alice), alice, alice, sender=alice)
    pool.requestRedeem(shares, alice, alice, sender=alice)  # converts at once in a closed pool
    pool.redeem(pool.maxRedeem(alice), alice, alice, sender=alice)  # pays the dust they are worth
    assert pool.balanceOf(alice) == 0 and pool.maxRedeem(alice) == 0 and pool.maxWithdraw(alice) == 0


def test_settle__leaving_the_price_below_the_floor__logs_the_closure(near_empty, alice, settler, next_round):
    pool = near_empty
    while True:
        r = pool.last_settled_round() + 1
        next_round()
        pool.settle(r, LOSS, DIGEST, sender=settler)
        closed = events(pool, "Closed")
        if closed:
            break
        pool.requestDeposit(1, alice, alice, sender=alice)
    assert (closed[0].closure, closed[0].last_settled_round) == (DEPLETED, r)
