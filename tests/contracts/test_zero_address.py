"""The zero address is never a receiver, controller or operator (finding 4).

Mainnet NMR accepts a transfer to 0x0 and the NMR is gone, so the pool refuses it itself, in
every function that sends NMR or shares or names a controller, operator or receiver.
"""

import boa
import pytest

from tests.contracts.conftest import NMR, ZERO_ADDRESS, uninitialized_clone


@pytest.fixture
def holder(pool, fund, alice, owner, settler, next_round):
    """Alice holds shares, has a converted redemption to claim and a pending request of each
    kind; the pool owes its owner fees."""
    fund(alice, 1_000 * NMR, pool)
    pool.requestDeposit(500 * NMR, alice, alice, sender=alice)
    pool.deposit(500 * NMR, alice, sender=alice)
    pool.requestRedeem(100 * NMR, alice, alice, sender=alice)  # caught up: claimable at once
    r = pool.current_round()
    next_round()
    pool.settle(r, 5 * 10**16, b"\0" * 32, sender=settler)  # a gain: fees owed
    pool.requestDeposit(10 * NMR, alice, alice, sender=alice)  # pending in the open round
    pool.requestRedeem(10 * NMR, alice, alice, sender=alice)
    return pool


@pytest.mark.parametrize(
    ("call", "reason"),
    [
        (lambda p, a, r: p.setOperator(ZERO_ADDRESS, True, sender=a), "pool: zero operator"),
        (lambda p, a, r: p.requestDeposit(NMR, ZERO_ADDRESS, a, sender=a), "pool: zero controller"),
        (lambda p, a, r: p.requestRedeem(NMR, ZERO_ADDRESS, a, sender=a), "pool: zero controller"),
        (lambda p, a, r: p.cancelDepositRequest(r, a, ZERO_ADDRESS, sender=a), "pool: zero receiver"),
        (lambda p, a, r: p.cancelRedeemRequest(r, a, ZERO_ADDRESS, sender=a), "pool: zero receiver"),
        (lambda p, a, r: p.redeem(NMR, ZERO_ADDRESS, a, sender=a), "pool: zero receiver"),
        (lambda p, a, r: p.withdraw(NMR, ZERO_ADDRESS, a, sender=a), "pool: zero receiver"),
        (lambda p, a, r: p.deposit(NMR, ZERO_ADDRESS, a, sender=a), "pool: zero receiver"),
        (lambda p, a, r: p.mint(NMR, ZERO_ADDRESS, a, sender=a), "pool: zero receiver"),
        (lambda p, a, r: p.transfer(ZERO_ADDRESS, NMR, sender=a), "erc20: transfer to the zero address"),
    ],
    ids=[
        "setOperator",
        "requestDeposit",
        "requestRedeem",
        "cancelDepositRequest",
        "cancelRedeemRequest",
        "redeem",
        "withdraw",
        "deposit",
        "mint",
        "transfer",
    ],
)
def test_zero_address__refused(holder, alice, nmr, call, reason):
    nmr_before = nmr.balanceOf(ZERO_ADDRESS)
    with boa.reverts(reason):
        call(holder, alice, holder.current_round())
    assert nmr.balanceOf(ZERO_ADDRESS) == nmr_before == 0
    assert holder.balanceOf(ZERO_ADDRESS) == 0


def test_claim_fees__to_zero_address__refused(holder, owner):
    assert holder.fees_owed() > 0
    with boa.reverts("pool: zero receiver"):
        holder.claim_fees(ZERO_ADDRESS, sender=owner)


def test_initialize__zero_owner__refused(system, attach_pool, deployer):
    clone = attach_pool(uninitialized_clone(deployer, system.implementation.address))
    with boa.reverts("pool: zero owner"):
        clone.initialize(ZERO_ADDRESS, b"\1" * 32, "x", 0, sender=system.factory.address)


def test_initialize__by_anyone_but_the_factory__refused(system, attach_pool, deployer, outsider):
    clone = attach_pool(uninitialized_clone(deployer, system.implementation.address))
    with boa.reverts("pool: not the factory"):
        clone.initialize(outsider, b"\1" * 32, "x", 0, sender=outsider)
