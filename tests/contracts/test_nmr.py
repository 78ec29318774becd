"""The NMR stand-in behaves like mainnet NMR (DESIGN §6)."""

import boa
import pytest

from tests.contracts.conftest import NMR, events

MAX_SUPPLY = 11_000_000 * NMR


def test_metadata(nmr):
    assert nmr.name() == "Numeraire"
    assert nmr.symbol() == "NMR"
    assert nmr.decimals() == 18
    assert nmr.MAX_SUPPLY() == MAX_SUPPLY


def test_issue__by_owner__mints_and_logs(nmr, deployer, alice):
    nmr.issue(alice, 5 * NMR, sender=deployer)
    assert [(log.to, log.amount) for log in events(nmr, "Issued")] == [(alice, 5 * NMR)]
    assert nmr.balanceOf(alice) == 5 * NMR


def test_issue__by_outsider__reverts(nmr, outsider):
    with boa.reverts("ownable: caller is not the owner"):
        nmr.issue(outsider, 1, sender=outsider)


def test_issue__beyond_cap__reverts(nmr, deployer, alice):
    nmr.issue(alice, MAX_SUPPLY, sender=deployer)
    with boa.reverts("nmr: supply cap exceeded"):
        nmr.issue(alice, 1, sender=deployer)


def test_approve__from_nonzero_to_nonzero__reverts(nmr, alice, bob):
    nmr.approve(bob, 10, sender=alice)
    with boa.reverts("nmr: approve from non-zero"):
        nmr.approve(bob, 20, sender=alice)
    nmr.approve(bob, 0, sender=alice)
    nmr.approve(bob, 20, sender=alice)
    assert nmr.allowance(alice, bob) == 20


def test_change_approval__checks_old_value(nmr, alice, bob):
    nmr.approve(bob, 10, sender=alice)
    with boa.reverts("nmr: allowance is not old_value"):
        nmr.changeApproval(bob, 9, 30, sender=alice)
    nmr.changeApproval(bob, 10, 30, sender=alice)
    assert nmr.allowance(alice, bob) == 30


def test_mint__burns_callers_tokens(nmr, deployer, alice):
    nmr.issue(alice, 10 * NMR, sender=deployer)
    nmr.mint(4 * NMR, sender=alice)
    burned = events(nmr, "Burned")[0]
    assert (burned.owner, burned.spender, burned.amount) == (alice, alice, 4 * NMR)
    assert nmr.balanceOf(alice) == 6 * NMR
    assert nmr.totalSupply() == 6 * NMR


def test_mint__more_than_balance__reverts(nmr, deployer, alice):
    nmr.issue(alice, 1, sender=deployer)
    with boa.reverts("erc20: burn amount exceeds balance"):
        nmr.mint(2, sender=alice)


def test_numerai_transfer__burns_with_allowance(nmr, deployer, alice, bob):
    nmr.issue(alice, 10 * NMR, sender=deployer)
    with boa.reverts("erc20: insufficient allowance"):
        nmr.numeraiTransfer(alice, NMR, sender=bob)
    nmr.approve(bob, 3 * NMR, sender=alice)
    nmr.numeraiTransfer(alice, 2 * NMR, sender=bob)
    assert nmr.balanceOf(alice) == 8 * NMR
    assert nmr.allowance(alice, bob) == NMR
    assert nmr.totalSupply() == 8 * NMR


@pytest.mark.parametrize("method", ["transfer", "transferFrom"])
def test_transfers__return_true(nmr, deployer, alice, bob, method):
    nmr.issue(alice, 10, sender=deployer)
    if method == "transfer":
        assert nmr.transfer(bob, 3, sender=alice) is True
    else:
        nmr.approve(bob, 3, sender=alice)
        assert nmr.transferFrom(alice, bob, 3, sender=bob) is True
    assert nmr.balanceOf(bob) == 3
