"""The pools view: every pool with its state, fee (and a pending increase), price, high-water
mark, NMR under management, deposit room and a chart of the last settled rounds from the
`Settled` events, read without any wallet through the RPC URL given to the server."""

from __future__ import annotations

from eth_utils import keccak
from playwright.sync_api import expect

from nmr_pools.amounts import format_fee, format_nmr, format_price
from nmr_pools.deployment import create_attested_pool
from tests.integration.helpers import model_key
from tests.web.audit import serious_violations
from tests.web.conftest import ALICE, BOB, DEPLOYER, NMR, OWNER, SETTLER
from tests.web.page import open_page, pool_cell

# rounds settled before the page opens, and how many of them its charts show
SETTLED_ROUNDS = 14
HISTORY_ROUNDS = 10
# per-round returns (WAD) of each pool: alpha climbs, beta burns then recovers, gamma wobbles
RETURNS = {
    "alpha": [15, 8, -5, 20, 12, 3, -2, 10, 18, 6, -4, 9, 14, 7],
    "beta": [-30, -20, -10, 5, 25, 30, 20, 10, 15, 5, 10, 20, 10, 5],
    "gamma": [5, -5, 10, -10, 5, -5, 10, -10, 5, -5, 10, -10, 5, -5],
    "delta": [10],  # wound down in round 1: settling round 1 closes it
}


def settle_rounds(contracts, anvil_node, settler, pools):
    """Settle rounds 1..SETTLED_ROUNDS on every pool still open; price per share of each pool per
    round it settled."""
    prices = {name: [] for name in pools}
    for index in range(SETTLED_ROUNDS):
        round_id = index + 1
        anvil_node.set_time(contracts.factory.round_start(round_id + 1))
        digest = keccak(text=f"round {round_id}")
        open_pools = {name: pool for name, pool in pools.items() if int(pool.closure()) == 0}
        reports = [
            (pool.address, round_id, RETURNS[name][index] * 10**15, digest)
            for name, pool in open_pools.items()
        ]
        receipt = contracts.factory.settle_many(reports, sender=settler)
        for name, pool in open_pools.items():
            [event] = [
                log for log in receipt.decode_logs(pool.Settled) if log.contract_address == pool.address
            ]
            prices[name].append(int(event.price_per_share))
    return prices


def test_page__pools_view__states_fees_prices_and_charts_without_a_wallet(
    run, contracts, serve_page, browser, anvil_node, accounts, screenshot
):
    run("create-pool", "--model-id", "gamma", "--fee", "10", "--attester", "TEST::0", "--account", "TEST::3")
    run("create-pool", "--model-id", "delta", "--fee", "5", "--attester", "TEST::0", "--account", "TEST::3")
    run("create-pool", "--model-id", "epsilon", "--fee", "5", "--attester", "TEST::0", "--account", "TEST::3")
    pools = {name: contracts.pool(name) for name in ("alpha", "beta", "gamma", "delta", "epsilon")}
    bob, owner = accounts[BOB], accounts[OWNER]
    for name, amount in (("alpha", 300), ("beta", 200), ("gamma", 150), ("delta", 50), ("epsilon", 25)):
        contracts.nmr.approve(pools[name], amount * NMR, sender=bob)
        pools[name].requestDeposit(amount * NMR, bob, bob, sender=bob)
    pools["delta"].wind_down(sender=owner)  # round 1 is its last
    prices = settle_rounds(
        contracts, anvil_node, accounts[SETTLER], {n: pools[n] for n in ("alpha", "beta", "gamma", "delta")}
    )
    pools["alpha"].set_fee(3_000, sender=owner)  # an increase: applies after the factory's delay
    pools["beta"].set_deposit_limit(1_000 * NMR, sender=owner)
    pools["gamma"].pause(sender=accounts[DEPLOYER])
    pools["epsilon"].wind_down(sender=owner)  # unsettled since round 1: it still settles up to its last round

    page = browser.new_page()  # no wallet at all
    open_page(page, serve_page(rpc_url=anvil_node.url, history_rounds=HISTORY_ROUNDS))
    expect(page.locator("#network-line")).to_contain_text("reading through the RPC URL")
    expect(page.get_by_role("button", name="No wallet found")).to_be_disabled()
    current = int(contracts.factory.current_round())
    expect(page.locator("#round-line")).to_contain_text(f"Round {current} is open")
    expect(page.locator("#pools-body tr")).to_have_count(5)

    states = (
        ("alpha", "active"),
        ("beta", "active"),
        ("gamma", "paused"),
        ("delta", "closed: wound down"),
        ("epsilon", f"winding down to round {current}"),
    )
    for name, state in states:
        pool = pools[name]
        expect(page.locator(f'#pools-body tr[data-model="{name}"] .state')).to_have_text(state)
        expect(pool_cell(page, name, "price")).to_have_text(format_price(int(pool.price_per_share())))
        expect(pool_cell(page, name, "hwm")).to_have_text(format_price(int(pool.high_water_mark())))
        expect(pool_cell(page, name, "assets")).to_have_text(format_nmr(int(pool.totalAssets())))
        expect(pool_cell(page, name, "settled")).to_have_text(str(pool.last_settled_round()))
    effective = int(pools["alpha"].pending_fee_round())
    assert effective == current + int(contracts.factory.fee_delay_rounds())
    expect(pool_cell(page, "alpha", "fee")).to_have_text(f"20% → 30% from round {effective}")
    expect(pool_cell(page, "gamma", "fee")).to_have_text(format_fee(1_000))
    expect(pool_cell(page, "alpha", "room")).to_have_text("no limit")
    room = 1_000 * NMR - int(pools["beta"].totalAssets()) - int(pools["beta"].pending_deposit_assets())
    expect(pool_cell(page, "beta", "room")).to_have_text(format_nmr(room))
    # beta burned first: its high-water mark stays above the price until it recovers
    assert int(pools["beta"].high_water_mark()) >= int(pools["beta"].price_per_share())

    # charts: the last HISTORY_ROUNDS settled rounds, from the Settled events
    first = SETTLED_ROUNDS - HISTORY_ROUNDS + 1
    for name in ("alpha", "beta", "gamma"):
        chart = pool_cell(page, name, "chart").locator("svg")
        expect(chart).to_have_attribute("data-points", str(HISTORY_ROUNDS))
        shown = prices[name][first - 1 :]
        label = (
            f"Price per share of {name} over {HISTORY_ROUNDS} settled round(s), {first} to {SETTLED_ROUNDS}: "
            f"{format_price(shown[0])} to {format_price(shown[-1])} "
            f"(low {format_price(min(shown))}, high {format_price(max(shown))})."
        )
        expect(chart).to_have_attribute("aria-label", label)
    expect(pool_cell(page, "delta", "chart").locator("svg")).to_have_attribute("data-points", "1")
    expect(pool_cell(page, "epsilon", "chart").locator("svg")).to_have_attribute("data-points", "0")

    # keyboard only: the model's button opens its panel and moves the focus to it
    page.locator("#pools-body").get_by_role("button", name="beta", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.locator("#pool-title")).to_have_text("Pool beta")
    expect(page.locator("#pool-title")).to_be_focused()
    expect(page.locator("#pool-chart svg")).to_have_attribute("data-points", str(HISTORY_ROUNDS))
    expect(page.locator("#pool-connect-hint")).to_be_visible()
    expect(page.locator("#pool-facts")).to_contain_text(str(pools["beta"].address))
    assert serious_violations(page) == []
    screenshot(page, "web-pools")
    assert browser.console_errors == []


def test_page__model_name_with_markup__shown_as_text(
    contracts, serve_page, browser, anvil_node, accounts, project
):
    """A pool's name is chosen by whoever creates it: the page shows it, never runs it."""
    name = "<img src=x onerror=1>"
    create_attested_pool(
        project,
        contracts.factory,
        attester=accounts[DEPLOYER],
        owner=accounts[OWNER],
        model_id=model_key("evil"),
        model_name=name,
        fee_bps=0,
    )
    page = browser.new_page()
    open_page(page, serve_page(rpc_url=anvil_node.url))
    expect(page.locator("#pools-body").get_by_role("button", name=name, exact=True)).to_be_visible()
    expect(page.locator("#pools-body img")).to_have_count(0)


def test_page__pool_panel__owed_nmr_and_emergency_exit(
    run, contracts, serve_page, browser, anvil_node, accounts
):
    """A treasury short of a gain leaves NMR owed to the pool, shown in its panel; a pool whose
    settler is gone is closed by anyone (emergency exit) and reads as such."""
    deployer, bob, settler = accounts[DEPLOYER], accounts[BOB], accounts[SETTLER]
    run("create-pool", "--model-id", "whale", "--fee", "0", "--attester", "TEST::0", "--account", "TEST::3")
    whale, beta = contracts.pool("whale"), contracts.pool("beta")
    contracts.nmr.approve(whale, 3_000_000 * NMR, sender=deployer)
    whale.requestDeposit(3_000_000 * NMR, deployer, deployer, sender=deployer)
    contracts.nmr.approve(beta, 10 * NMR, sender=bob)
    beta.requestDeposit(10 * NMR, bob, bob, sender=bob)
    anvil_node.set_time(contracts.factory.round_start(2))
    # +5% of 3,000,000 NMR: the treasury holds 100,000, so 50,000 stays owed
    contracts.factory.settle(whale, 1, 5 * 10**16, b"\x01" * 32, sender=settler)
    assert whale.treasury_owed() == 50_000 * NMR
    # beta's settler never comes: 30 days after its round 1 closed anyone may close it
    anvil_node.set_time(contracts.factory.round_start(2) + 30 * 86_400)
    beta.emergency_exit(sender=accounts[ALICE])

    page = browser.new_page()
    open_page(page, serve_page(rpc_url=anvil_node.url))
    expect(page.locator('#pools-body tr[data-model="beta"] .state')).to_have_text("closed: emergency exit")
    expect(page.locator('#pools-body tr[data-model="whale"] .state')).to_have_text("active")
    page.locator("#pools-body").get_by_role("button", name="whale", exact=True).click()
    expect(page.locator("#pool-facts")).to_contain_text(
        "Owed by the treasury50,000 NMR of gains, drawn at the next settlement once the treasury is funded"
    )
    page.locator("#pools-body").get_by_role("button", name="beta", exact=True).click()
    expect(page.locator("#pool-facts")).to_contain_text(
        "closed: emergency exit: nothing more is settled; redemptions convert at once at the final price"
    )
    expect(page.locator("#pool-facts")).to_contain_text("Owed by the treasurynothing")
    assert browser.console_errors == []
