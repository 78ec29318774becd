"""The page end to end on anvil, as a delegator uses it from a browser wallet:
connect → deposit (fresh allowance, then on top of an existing one) → settle with
`ape pools settle` → claim → redeem (and cancel) → settle → claim NMR, with every number on
screen checked against the chain and against `ape pools status`'s own computation."""

from __future__ import annotations

from decimal import Decimal

from eth_utils import keccak
from playwright.sync_api import expect

from nmr_pools.amounts import format_nmr
from nmr_pools.preview import PoolState, read_position
from tests.integration.helpers import write_round
from tests.web.conftest import ALICE, NMR
from tests.web.page import (
    act,
    choose,
    claim,
    connect,
    deposit,
    expect_confirmed,
    open_page,
    pool_cell,
    position_cell,
    redeem,
    refresh,
)

CHANGE_APPROVAL = "0x" + keccak(text="changeApproval(address,uint256,uint256)")[:4].hex()
APPROVE = "0x" + keccak(text="approve(address,uint256)")[:4].hex()


def expect_position_matches_chain(page, contracts, pool, account):
    """The account row of `pool` shows what the chain holds and what `status` computes."""
    state = PoolState.read(pool, contracts.factory)
    position = read_position(pool, state, account)
    expect(position_cell(page, "alpha", "shares")).to_have_text(format_nmr(position.shares, unit=""))
    expect(position_cell(page, "alpha", "value")).to_have_text(format_nmr(position.value))
    expect(position_cell(page, "alpha", "worst")).to_have_text(format_nmr(position.worst))
    expect(position_cell(page, "alpha", "best")).to_have_text(format_nmr(position.best))
    return position


def test_page__delegator_flow__numbers_match_the_chain(
    contracts, run, serve_page, browser, wallet_for, anvil_node, accounts, tmp_path, screenshot
):
    alice = accounts[ALICE]
    factory, nmr, alpha = contracts.factory, contracts.nmr, contracts.pool("alpha")
    wallet = wallet_for(ALICE)
    page = browser.new_page(wallet)
    open_page(page, serve_page())
    expect(page.locator("#network-line")).to_contain_text("reading through your wallet")
    connect(page)
    expect(page.locator("#nmr-balance")).to_have_text("NMR balance: 1,000 NMR")
    choose(page, "alpha")

    # a fresh allowance: approve from zero; the new pool is caught up, so it converts at once
    page.get_by_label("NMR to deposit").fill("100")
    expect(page.locator("#deposit-preview")).to_contain_text("converts at once to 100 shares")
    act(page, lambda: page.get_by_role("button", name="Deposit", exact=True).click())
    expect_confirmed(page, "Approve 100 NMR for alpha", "Deposit 100 NMR into alpha")
    assert int(alpha.maxDeposit(alice)) == 100 * NMR
    assert int(nmr.allowance(alice, alpha)) == 0
    expect(page.locator("#claim-text")).to_have_text("Ready to claim: 100 shares from deposits.")

    # round 1 closes unsettled; another app left an allowance of 7 NMR: changeApproval from it
    anvil_node.set_time(factory.round_start(2))
    nmr.approve(alpha, 7 * NMR, sender=alice)
    sent_before = len(wallet.sent)
    deposit(page, "50.5")
    expect_confirmed(
        page,
        "Change the allowance for alpha from 7 NMR to 50.5 NMR (changeApproval)",
        "Deposit 50.5 NMR into alpha",
    )
    selectors = [tx["data"][:10] for tx in wallet.sent[sent_before:]]
    assert selectors[0] == CHANGE_APPROVAL and APPROVE not in selectors
    assert [(int(r), int(a)) for r, a in alpha.pending_requests(alice, False)] == [
        (2, 50_500_000_000_000_000_000)
    ]
    expect(page.locator("#nmr-balance")).to_have_text(f"NMR balance: {format_nmr(nmr.balanceOf(alice))}")
    expect(position_cell(page, "alpha", "pending")).to_have_text("deposit 50.5 NMR (round 2)")
    expect(position_cell(page, "alpha", "converts")).to_have_text("after round 1 is settled (1 to settle)")
    expect(position_cell(page, "alpha", "claimable")).to_have_text("100 shares (deposit)")
    expect_position_matches_chain(page, contracts, alpha, alice)
    screenshot(page, "web-account")

    # round 1 settles at +2% (ape pools settle); the 50.5 NMR converts at the new price
    write_round(tmp_path / "r1.json", 1, {"alpha": 2 * 10**16, "beta": 0})
    run("settle", "--round", "1", "--results", "r1.json", "--account", "TEST::1")
    refresh(page)
    claimable = int(alpha.maxMint(alice))
    assert claimable > 100 * NMR
    expect(position_cell(page, "alpha", "claimable")).to_have_text(
        f"{format_nmr(claimable, unit='shares')} (deposit)"
    )
    expect(pool_cell(page, "alpha", "price")).to_have_text(f"{format_nmr(alpha.price_per_share(), places=8)}")
    expect(pool_cell(page, "alpha", "settled")).to_have_text("1")
    expect(pool_cell(page, "alpha", "chart").locator("svg")).to_have_attribute("data-points", "1")
    claim(page)
    expect_confirmed(page, f"Claim {format_nmr(claimable, unit='shares')} of alpha")
    assert int(alpha.balanceOf(alice)) == claimable
    expect_position_matches_chain(page, contracts, alpha, alice)

    # round 2 closes unsettled: a redemption now waits for it; one is cancelled while round 3 is open
    anvil_node.set_time(factory.round_start(3))
    redeem(page, "10")
    expect_confirmed(page, "Redeem 10 shares of alpha")
    item = page.locator('#pending-list li[data-side="redeem"][data-round="3"]')
    expect(item).to_contain_text("converts after round 2 is settled (1 to settle)")
    act(
        page,
        lambda: item.get_by_role("button", name="Cancel the redemption of 10 shares made in round 3").click(),
    )
    expect_confirmed(page, "Cancel the redemption request of round 3 in alpha")
    assert list(alpha.pending_requests(alice, True)) == []
    assert int(alpha.balanceOf(alice)) == claimable
    redeem(page, "30")
    expect(position_cell(page, "alpha", "pending")).to_have_text("redeem 30 shares (round 3)")
    expect_position_matches_chain(page, contracts, alpha, alice)

    # round 2 settles at -1%: the 30 shares convert to NMR, claimed into the wallet
    write_round(tmp_path / "r2.json", 2, {"alpha": -(10**16), "beta": 0})
    run("settle", "--round", "2", "--results", "r2.json", "--account", "TEST::1")
    refresh(page)
    owed = int(alpha.maxWithdraw(alice))
    assert 0 < owed < 30 * NMR * alpha.price_per_share() // 10**18 + NMR
    expect(position_cell(page, "alpha", "claimable")).to_have_text(f"{format_nmr(owed)} (redemption)")
    balance_before = int(nmr.balanceOf(alice))
    claim(page)
    expect_confirmed(page, f"Claim {format_nmr(owed)} from alpha")
    assert int(nmr.balanceOf(alice)) == balance_before + owed
    expect(page.locator("#nmr-balance")).to_have_text(f"NMR balance: {format_nmr(balance_before + owed)}")

    # the pool is caught up now: "All" redeems every share at once, then it is claimed
    held = int(alpha.balanceOf(alice))
    page.get_by_role("button", name="All").click()
    exact = f"{Decimal(held).scaleb(-18):f}".rstrip("0").rstrip(".")
    expect(page.get_by_label("Shares to redeem")).to_have_value(exact)
    expect(page.locator("#redeem-preview")).to_contain_text("Converts at once to")
    act(page, lambda: page.get_by_role("button", name="Redeem", exact=True).click())
    claim(page)
    assert int(alpha.balanceOf(alice)) == 0 and int(alpha.maxWithdraw(alice)) == 0
    expect(page.locator("#positions-body tr")).to_have_count(0)
    expect(pool_cell(page, "alpha", "chart").locator("svg")).to_have_attribute("data-points", "2")
    assert browser.console_errors == []
