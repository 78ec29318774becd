"""The NMR stand-in is as lax as mainnet NMR (DESIGN §6), so the pool must rely on its own checks."""

import boa
import pytest
from eth_utils import function_signature_to_4byte_selector as selector

from tests.contracts.conftest import NMR, ZERO_ADDRESS, events
from tests.fuzz.chain import Reverted, send

SUPPLY = 11_000_000 * NMR
MAX_UINT256 = 2**256 - 1
NO_REASON = Reverted("")  # mainnet's Solidity 0.4 `require`s carry no reason string


def test_metadata__and_the_whole_supply_premined(nmr, deployer):
    assert nmr.name() == "Numeraire"
    assert nmr.symbol() == "NMR"
    assert nmr.decimals() == 18
    assert nmr.totalSupply() == SUPPLY
    assert nmr.balanceOf(deployer) == SUPPLY


def test_decimals__is_a_uint256(nmr):
    (output,) = [item for item in nmr.abi if item.get("name") == "decimals"]
    assert output["outputs"][0]["type"] == "uint256"


@pytest.mark.parametrize("signature", ["owner()", "issue(address,uint256)", "mint(address,uint256)"])
def test_unknown_calls__succeed_with_nothing(nmr, outsider, signature):
    # mainnet's payable fallback: probing the token tells a caller nothing, and mints nothing
    data = selector(signature) + bytes(64)
    computation = boa.env.execute_code(to_address=nmr.address, sender=outsider, data=data)
    assert not computation.is_error and computation.output == b""
    assert nmr.totalSupply() == SUPPLY


def test_transfer__to_the_zero_address__succeeds_and_the_nmr_is_lost(nmr, deployer, alice):
    nmr.transfer(alice, 10, sender=deployer)
    assert nmr.transfer(ZERO_ADDRESS, 4, sender=alice) is True
    assert nmr.balanceOf(ZERO_ADDRESS) == 4 and nmr.balanceOf(alice) == 6


def test_transfer__more_than_balance__reverts_without_reason(nmr, alice, bob):
    assert send(nmr, "transfer", bob, 1, sender=alice) == NO_REASON


@pytest.mark.parametrize("method", ["transfer", "transferFrom"])
def test_transfers__return_true(nmr, deployer, alice, bob, method):
    nmr.transfer(alice, 10, sender=deployer)
    if method == "transfer":
        assert nmr.transfer(bob, 3, sender=alice) is True
    else:
        nmr.approve(bob, 3, sender=alice)
        assert nmr.transferFrom(alice, bob, 3, sender=bob) is True
    assert nmr.balanceOf(bob) == 3


def test_transfer_from__max_allowance_is_decremented(nmr, deployer, alice, bob):
    nmr.transfer(alice, 10, sender=deployer)
    nmr.approve(bob, MAX_UINT256, sender=alice)
    nmr.transferFrom(alice, bob, 4, sender=bob)
    assert nmr.allowance(alice, bob) == MAX_UINT256 - 4


def test_transfer_from__beyond_allowance_or_balance__reverts_without_reason(nmr, deployer, alice, bob):
    nmr.transfer(alice, 10, sender=deployer)
    nmr.approve(bob, 5, sender=alice)
    assert send(nmr, "transferFrom", alice, bob, 6, sender=bob) == NO_REASON
    nmr.changeApproval(bob, 5, 100, sender=alice)
    assert send(nmr, "transferFrom", alice, bob, 11, sender=bob) == NO_REASON
    assert nmr.balanceOf(alice) == 10


def test_approve__from_nonzero_to_nonzero__reverts_without_reason(nmr, alice, bob):
    nmr.approve(bob, 10, sender=alice)
    assert send(nmr, "approve", bob, 20, sender=alice) == NO_REASON
    nmr.approve(bob, 0, sender=alice)
    nmr.approve(bob, 20, sender=alice)
    assert nmr.allowance(alice, bob) == 20


def test_change_approval__checks_old_value(nmr, alice, bob):
    nmr.approve(bob, 10, sender=alice)
    assert send(nmr, "changeApproval", bob, 9, 30, sender=alice) == NO_REASON
    nmr.changeApproval(bob, 10, 30, sender=alice)
    assert nmr.allowance(alice, bob) == 30


def test_mint__burns_callers_tokens(nmr, deployer, alice):
    nmr.transfer(alice, 10 * NMR, sender=deployer)
    assert nmr.mint(4 * NMR, sender=alice) is True
    (burned,) = events(nmr, "Transfer")
    assert (burned.sender, burned.receiver, burned.value) == (alice, ZERO_ADDRESS, 4 * NMR)
    assert nmr.balanceOf(alice) == 6 * NMR
    assert nmr.totalSupply() == SUPPLY - 4 * NMR


def test_mint__more_than_balance__returns_false_and_burns_nothing(nmr, deployer, alice):
    nmr.transfer(alice, 1, sender=deployer)
    assert nmr.mint(2, sender=alice) is False
    assert nmr.balanceOf(alice) == 1 and nmr.totalSupply() == SUPPLY


def test_numerai_transfer__burns_with_allowance_or_returns_false(nmr, deployer, alice, bob):
    nmr.transfer(alice, 10 * NMR, sender=deployer)
    assert nmr.numeraiTransfer(alice, NMR, sender=bob) is False  # no allowance: nothing burned
    nmr.approve(bob, 3 * NMR, sender=alice)
    assert nmr.numeraiTransfer(alice, 2 * NMR, sender=bob) is True
    assert nmr.balanceOf(alice) == 8 * NMR
    assert nmr.allowance(alice, bob) == NMR
    assert nmr.totalSupply() == SUPPLY - 2 * NMR
    assert nmr.numeraiTransfer(alice, 9 * NMR, sender=bob) is False  # beyond the allowance
