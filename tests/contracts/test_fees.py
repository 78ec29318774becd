"""Performance fee: high-water mark, delayed increases, immediate decreases, claims."""

import boa
import pytest

from tests.contracts.conftest import NMR, WAD, events

DIGEST = b"\0" * 32


def mul_div(x: int, y: int, d: int, up: bool = False) -> int:
    return -((-x * y) // d) if up else (x * y) // d


@pytest.fixture
def invested(create_pool, fund, alice):
    pool = create_pool("fees", fee_bps=2_000)
    fund(alice, 100 * NMR, pool)
    pool.requestDeposit(100 * NMR, alice, alice, sender=alice)
    pool.deposit(100 * NMR, alice, sender=alice)
    return pool


@pytest.fixture
def settle(invested, settler, next_round):
    """Close the current round and settle it with `round_return`; returns the Settled event."""

    def run(round_return: int):
        r = invested.last_settled_round() + 1
        while invested.current_round() <= r:
            next_round()
        invested.settle(r, round_return, DIGEST, sender=settler)
        return events(invested, "Settled")[0]

    return run


def test_fee__only_above_high_water_mark(invested, settle):
    supply = 100 * NMR
    event = settle(5 * 10**16)  # 100 -> 105, fee 20% of 5
    assert event.fee == NMR
    assets = 104 * NMR
    hwm = (assets + 1) * WAD // (supply + 1)
    assert invested.high_water_mark() == hwm
    event = settle(-5 * 10**16)  # 104 -> 98.8: burn, no fee, HWM holds
    assets -= mul_div(assets, 5 * 10**16, WAD, up=True)
    assert (event.fee, invested.totalAssets(), invested.high_water_mark()) == (0, assets, hwm)
    event = settle(5 * 10**16)  # 98.8 -> 103.74: still below the mark, no fee
    assets += mul_div(assets, 5 * 10**16, WAD)
    assert (event.fee, invested.totalAssets(), invested.high_water_mark()) == (0, assets, hwm)
    event = settle(5 * 10**16)  # crosses the mark: fee only on the part above it
    gain = mul_div(assets, 5 * 10**16, WAD)
    hwm_assets = mul_div(hwm, supply + 1, WAD, up=True) - 1
    fee = (assets + gain - hwm_assets) * 2_000 // 10_000
    assert fee < gain * 2_000 // 10_000
    assert event.fee == fee and invested.fees_owed() == NMR + fee
    assert invested.totalAssets() == assets + gain - fee
    assert invested.high_water_mark() == (assets + gain - fee + 1) * WAD // (supply + 1) > hwm


def test_fee_increase__waits_for_delay(invested, settle, owner, factory):
    delay = factory.fee_delay_rounds()
    proposed_in = invested.current_round()
    invested.set_fee(3_000, sender=owner)
    proposal = events(invested, "FeeIncreaseProposed")[0]
    assert (proposal.fee_bps, proposal.effective_round) == (3_000, proposed_in + delay)
    assert invested.fee_bps() == 2_000 and invested.pending_fee_round() == proposed_in + delay
    # every round before the effective round is charged the old fee
    while invested.last_settled_round() + 1 < proposed_in + delay:
        assets = invested.totalAssets()
        event = settle(10**16)
        assert event.fee == mul_div(assets, 10**16, WAD) * 2_000 // 10_000
    assets = invested.totalAssets()
    event = settle(10**16)
    assert event.round == proposed_in + delay
    assert event.fee == mul_div(assets, 10**16, WAD) * 3_000 // 10_000
    assert invested.fee_bps() == 3_000 and invested.pending_fee_round() == 0


def test_fee_decrease__immediate_and_drops_pending_increase(invested, owner):
    invested.set_fee(4_000, sender=owner)
    invested.set_fee(1_000, sender=owner)
    changed = events(invested, "FeeChanged")[0]
    assert (changed.old_fee_bps, changed.new_fee_bps) == (2_000, 1_000)
    assert invested.fee_bps() == 1_000
    assert invested.pending_fee_bps() == 0 and invested.pending_fee_round() == 0


def test_set_fee__permissions_and_cap(invested, owner, outsider):
    with boa.reverts("ownable: caller is not the owner"):
        invested.set_fee(0, sender=outsider)
    with boa.reverts("pool: fee above cap"):
        invested.set_fee(5_001, sender=owner)


def test_claim_fees__owner_only_and_pays(invested, settle, owner, outsider, nmr):
    with boa.reverts("pool: no fees owed"):
        invested.claim_fees(owner, sender=owner)
    settle(5 * 10**16)
    with boa.reverts("ownable: caller is not the owner"):
        invested.claim_fees(outsider, sender=outsider)
    invested.claim_fees(owner, sender=owner)
    claimed = events(invested, "FeesClaimed")[0]
    assert (claimed.receiver, claimed.amount) == (owner, NMR)
    assert nmr.balanceOf(owner) == NMR and invested.fees_owed() == 0
    assert nmr.balanceOf(invested) == invested.totalAssets()


def test_zero_fee__charges_nothing(create_pool, fund, alice, settler, next_round):
    pool = create_pool("free", fee_bps=0)
    fund(alice, 100 * NMR, pool)
    pool.requestDeposit(100 * NMR, alice, alice, sender=alice)
    r = pool.current_round()
    next_round()
    pool.settle(r, 10**16, DIGEST, sender=settler)
    assert events(pool, "Settled")[0].fee == 0


def test_fee_increase__above_a_cap_lowered_since__charged_at_the_cap(
    invested, settle, owner, factory, deployer
):
    # finding 5: the fee charged never exceeds the cap in force when it is charged
    invested.set_fee(5_000, sender=owner)  # proposed while the cap is 50%
    factory.set_fee_cap(1_000, sender=deployer)  # the admin lowers the cap to 10%
    factory.set_fee_delay_rounds(1, sender=deployer)
    for _ in range(31):  # past the proposal's delay (30 rounds when proposed)
        event = settle(0)
    assert invested.fee_bps() == 5_000  # the increase applied...
    event = settle(5 * 10**16)
    assert event.fee == 5 * NMR * 1_000 // 10_000  # ...but is charged at the 10% cap in force


def test_fee__above_a_cap_lowered_later__charged_at_the_cap(invested, settle, factory, deployer):
    factory.set_fee_cap(500, sender=deployer)  # the pool's 20% fee is now above the 5% cap
    event = settle(5 * 10**16)
    assert event.fee == 5 * NMR * 500 // 10_000
