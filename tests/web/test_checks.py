"""Bad input and a wrong network show a sentence and send nothing (the wallet's nonce stays),
and a contract's refusal is shown as a plain sentence decoded from its revert reason."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.conftest import ALICE, DEPLOYER, NMR, OWNER
from tests.web.page import (
    act,
    choose,
    connect,
    deposit,
    expect_confirmed,
    open_page,
    redeem,
    refresh,
    transaction,
)


@pytest.fixture
def alice_page(contracts, serve_page, browser, wallet_for, anvil_node):
    """Alice's wallet connected on the page with pool alpha chosen, and how to count what she sent."""
    wallet = wallet_for(ALICE)
    page = browser.new_page(wallet)
    open_page(page, serve_page(rpc_url=anvil_node.url))
    connect(page)
    choose(page, "alpha")

    def nonce() -> int:
        return int(anvil_node.rpc("eth_getTransactionCount", wallet.account, "latest"), 16)

    page.wallet, page.nonce = wallet, nonce
    return page


BAD_DEPOSITS = [
    ("1.0000000000000000001", "has more than 18 decimals"),
    ("1000.5", "You hold 1,000 NMR, less than 1,000.5 NMR."),
    ("0", "The amount to deposit must be more than 0."),
    ("", "Enter the amount to deposit, e.g. 12.5."),
    ("12,5", "without commas, with a dot for decimals"),
    ("ten", "is not a number"),
    ("-3", "is negative"),
]


def test_page__bad_deposit_amounts__message_and_nothing_sent(alice_page):
    page = alice_page
    nonce = page.nonce()
    field = page.get_by_label("NMR to deposit")
    for text, message in BAD_DEPOSITS:
        deposit(page, text)
        expect(page.locator("#deposit-error")).to_contain_text(message)
        expect(field).to_have_attribute("aria-invalid", "true")
    assert page.wallet.sent == [] and page.nonce() == nonce
    expect(page.locator("#tx-log li")).to_have_count(0)


def test_page__redeem_more_than_held__message_and_nothing_sent(alice_page):
    page = alice_page
    deposit(page, "10")
    expect_confirmed(page, "Deposit 10 NMR into alpha")
    nonce, sent = page.nonce(), len(page.wallet.sent)
    redeem(page, "5")  # the 10 shares are claimable, not yet held
    expect(page.locator("#redeem-error")).to_have_text(
        "You hold 0 shares, less than 5 shares (claim your converted deposits first)."
    )
    redeem(page, "0.0000000000000000001")
    expect(page.locator("#redeem-error")).to_contain_text("has more than 18 decimals")
    assert len(page.wallet.sent) == sent and page.nonce() == nonce


def test_page__paused_pool_and_deposit_limit__message_and_nothing_sent(alice_page, contracts, accounts):
    page = alice_page
    alpha = contracts.pool("alpha")
    alpha.set_deposit_limit(25 * NMR, sender=accounts[OWNER])
    nonce = page.nonce()
    deposit(page, "30")
    expect(page.locator("#deposit-error")).to_have_text(
        "The pool's deposit limit leaves room for 25 NMR only."
    )
    alpha.pause(sender=accounts[DEPLOYER])  # the deployer holds the guardian role
    deposit(page, "5")
    expect(page.locator("#deposit-error")).to_have_text(
        "The alpha pool is paused and takes no new deposits (redeeming and claiming still work)."
    )
    expect(page.get_by_role("button", name="Deposit (pool paused)")).to_be_visible()
    expect(page.locator('#pools-body tr[data-model="alpha"] .state')).to_have_text("paused")
    assert page.wallet.sent == [] and page.nonce() == nonce


def test_page__wrong_network__named_and_nothing_sent(alice_page, browser, serve_page):
    page = alice_page
    nonce = page.nonce()
    page.wallet.chain_id = 1
    page.evaluate("window.ethereum.__emit('chainChanged', '0x1')")
    alert = page.locator("#network-alert")
    expect(alert).to_contain_text(
        "Your wallet is on Ethereum mainnet (chain id 1), but these pools are on "
        "a local development chain (anvil) (chain id 31337) (ethereum:local)"
    )
    # the pools are still shown, read through the RPC URL the page was started with
    expect(page.locator("#network-line")).to_contain_text("reading through the RPC URL")
    deposit(page, "10")
    expect(page.locator("#deposit-error")).to_contain_text("Your wallet is on Ethereum mainnet (chain id 1)")
    expect(page.locator("#deposit-error")).to_contain_text("Nothing was sent.")
    assert page.wallet.sent == [] and page.nonce() == nonce

    # a wallet that switches without telling the page is caught before signing, too
    page.get_by_role("button", name="Switch network").click()
    expect(alert).to_be_hidden()
    page.wallet.chain_id = 11155111
    deposit(page, "10")
    expect(page.locator("#deposit-error")).to_contain_text("Your wallet is on Sepolia (chain id 11155111)")
    assert page.wallet.sent == [] and page.nonce() == nonce

    # served without --rpc-url, a page on the wrong network has nothing to read through: it says so
    other = browser.new_page(page.wallet)
    open_page(other, serve_page())
    expect(other.locator("#network-alert")).to_contain_text("Your wallet is on Sepolia (chain id 11155111)")
    expect(other.locator("#page-error")).to_contain_text(
        "Switch your wallet to the pools' network to see them"
    )
    expect(other.locator("#pools-body tr")).to_have_count(0)


def test_page__round_closes_before_cancel__revert_reason_in_plain_words(alice_page, contracts, anvil_node):
    page = alice_page
    factory = contracts.factory
    anvil_node.set_time(factory.round_start(2))  # round 1 closes unsettled: requests now wait
    refresh(page)
    deposit(page, "10")
    cancel = page.get_by_role("button", name="Cancel the deposit of 10 NMR made in round 2")
    expect(cancel).to_be_visible()
    anvil_node.set_time(factory.round_start(3))  # the round closes while the page still offers Cancel
    nonce = page.nonce()
    act(page, cancel.click)
    message = (
        "Refused by the pool: round closed, cannot cancel (a request can be cancelled only while the "
        "round it was made in is open)."
    )
    expect(page.locator("#cancel-error")).to_have_text(message)
    expect(transaction(page, "Cancel the deposit request of round 2 in alpha")).to_contain_text(
        f"failed: {message}"
    )
    assert page.nonce() == nonce  # simulated first: refused before anything was signed
    expect(page.get_by_role("button", name="Cancel the deposit of 10 NMR made in round 2")).to_have_count(0)
