"""The pool owner's controls: shown only to the owner (also after the wallet switches
account), claim fees, announce a fee increase (applies after the factory's delay) and lower
the fee (applies at once); bad fees are refused before anything is signed."""

from __future__ import annotations

from playwright.sync_api import expect

from nmr_pools.amounts import format_nmr
from tests.integration.helpers import write_round
from tests.web.audit import serious_violations
from tests.web.conftest import ALICE, NMR, OWNER
from tests.web.page import act, choose, connect, counter, expect_confirmed, open_page, pool_cell, wait_counter


def switch_account(page, wallet, account: str) -> None:
    """The person picks another account in the wallet, which tells the page."""
    before = counter(page, "refreshes")
    wallet.account = account
    page.evaluate(f"window.ethereum.__emit('accountsChanged', ['{account}'])")
    wait_counter(page, "refreshes", before)


def set_fee(page, text: str) -> None:
    page.get_by_label("New performance fee (%)").fill(text)
    act(page, lambda: page.get_by_role("button", name="Change fee").click())


def test_page__owner__claims_fees_and_changes_fee(
    contracts, run, serve_page, browser, wallet_for, accounts, anvil_node, tmp_path
):
    alice, owner = accounts[ALICE], accounts[OWNER]
    factory, nmr, alpha = contracts.factory, contracts.nmr, contracts.pool("alpha")
    nmr.approve(alpha, 400 * NMR, sender=alice)
    alpha.requestDeposit(400 * NMR, alice, alice, sender=alice)
    anvil_node.set_time(factory.round_start(2))
    write_round(tmp_path / "r1.json", 1, {"alpha": 4 * 10**16, "beta": 0})
    run("settle", "--round", "1", "--results", "r1.json", "--account", "TEST::1")
    fees = int(alpha.fees_owed())
    assert fees > 0

    wallet = wallet_for(ALICE)
    page = browser.new_page(wallet)
    open_page(page, serve_page())
    connect(page)
    choose(page, "alpha")
    owner_box = page.locator("#owner-box")
    expect(owner_box).to_be_hidden()

    switch_account(page, wallet, str(owner.address))
    expect(page.locator("#account-line")).to_have_text(f"Account {owner.address}")
    expect(owner_box).to_be_visible()
    expect(page.locator("#fees-owed")).to_have_text(f"Fees owed: {format_nmr(fees)}.")

    nonce = int(anvil_node.rpc("eth_getTransactionCount", str(owner.address), "latest"), 16)
    set_fee(page, "60")
    expect(page.locator("#fee-error")).to_have_text("A fee of 60% is above the factory's cap of 50%.")
    set_fee(page, "12.345")
    expect(page.locator("#fee-error")).to_have_text("The fee “12.345” is finer than one basis point (0.01%).")
    set_fee(page, "20%")
    expect(page.locator("#fee-error")).to_have_text("The fee is 20% already.")
    assert wallet.sent == []
    assert int(anvil_node.rpc("eth_getTransactionCount", str(owner.address), "latest"), 16) == nonce

    before = int(nmr.balanceOf(owner))
    act(page, lambda: page.get_by_role("button", name="Claim fees").click())
    expect_confirmed(page, f"Claim {format_nmr(fees)} of fees from alpha")
    assert int(nmr.balanceOf(owner)) == before + fees and int(alpha.fees_owed()) == 0
    expect(page.locator("#fees-owed")).to_have_text("Fees owed: 0 NMR.")
    expect(page.get_by_role("button", name="Claim fees")).to_be_disabled()

    set_fee(page, "30")
    expect_confirmed(page, "Change the fee of alpha to 30%")
    effective = int(alpha.pending_fee_round())
    assert effective == int(factory.current_round()) + int(factory.fee_delay_rounds())
    expect(pool_cell(page, "alpha", "fee")).to_have_text(f"20% → 30% from round {effective}")
    set_fee(page, "12.5")
    expect_confirmed(page, "Change the fee of alpha to 12.5%")
    assert int(alpha.fee_bps()) == 1_250 and int(alpha.pending_fee_round()) == 0
    expect(pool_cell(page, "alpha", "fee")).to_have_text("12.5%")

    # everything the connected owner sees (tables, forms, owner box, transaction log) passes axe
    page.get_by_label("NMR to deposit").fill("1.5")
    assert serious_violations(page) == []
    assert browser.console_errors == []
