"""`wind-down` and `emergency-exit` (DESIGN.md §5): the role or the stall checked before sending, a
preview of what happens to every holder, --dry-run; and how `status`, `deposit`, `redeem`, `cancel`
and `claim` word a pool that winds down, is stalled, or is closed."""

from __future__ import annotations

import re

import pytest

from nmr_pools.cli.times import utc
from nmr_pools.pool_contract import pool_at
from nmr_pools.settlement import model_key
from tests.integration.helpers import NMR, write_round

DAY = 86_400


@pytest.fixture
def alpha(project, with_pool):
    """Pool "alpha" (owner TEST::3; TEST::4 and TEST::5 hold 1,000 NMR each) as a contract instance."""
    return pool_at(project, project.PoolFactory.at(with_pool["factory"]).pool_of(model_key("alpha")))


def settle(ok, workdir, round_id: int, round_return: int = 0) -> None:
    write_round(workdir / f"r{round_id}.json", round_id, {"alpha": round_return})
    ok("settle", "--round", str(round_id), "--results", f"r{round_id}.json", "--account", "TEST::1")


# ---- wind-down ----


def test_wind_down__owner__previews_the_last_round_and_sends(ok, fails, alpha, advance, workdir, accounts):
    ok("deposit", "--pool", "alpha", "--amount", "100", "--account", "TEST::4")
    advance(2)  # rounds 1 and 2 closed, unsettled; round 3 open
    output = ok("wind-down", "--pool", "alpha", "--account", "TEST::3")
    assert f"Wind down pool {alpha.address} (alpha) as its owner {accounts[3].address}:" in output
    assert "round 3 (open now) is the last round the pool plays" in output
    assert "rounds 1..3 are still settled as usual (3 to go, the last once round 3 closes)" in output
    assert "redemptions requested after round 3 join round 4's group" in output
    assert "This cannot be undone." in output
    assert "is winding down: round 3 is its last" in output
    assert alpha.wind_down_round() == 3
    # no new deposits; the refusal says redeeming and claiming go on
    output = fails("deposit", "--pool", "alpha", "--amount", "1", "--account", "TEST::5", code=2)
    assert "is winding down (round 3 is its last) and takes no deposits" in output
    assert "winding down to round 3" in ok("status")


def test_wind_down__redemption_after_the_last_round__converts_when_it_settles(
    ok, alpha, advance, workdir, accounts
):
    ok("deposit", "--pool", "alpha", "--amount", "100", "--account", "TEST::4")
    ok("claim", "--account", "TEST::4")
    ok("wind-down", "--pool", "alpha", "--account", "TEST::3")  # round 1 is the last
    advance(3)  # round 4 open: rounds 1..3 closed, only round 1 is played
    output = ok("redeem", "--pool", "alpha", "--shares", "40", "--account", "TEST::4")
    assert "request id 2:" in output  # the group after the last round, not the open round 4
    assert "converts after round 1 is settled" in output
    assert "the pool is winding down: round 1 is the last it plays" in output
    assert "claimable once round 1 is settled (1 round(s) to settle)" in output
    # the last round burns 5%: the redemption bears it, nobody escapes a played round
    settle(ok, workdir, 1, -5 * 10**16)
    assert alpha.closure() == 1  # WOUND_DOWN
    output = ok("claim", "--account", "TEST::4")
    assert "claimed 38 NMR for 40 shares redeemed" in output
    # closed: the rest converts at once at the final price, 0.95
    output = ok("redeem", "--pool", "alpha", "--all", "--account", "TEST::4")
    assert "converts at once to 57 NMR (the final price)" in output
    assert "closed: wound down" in ok("status")


def test_wind_down__guardian_may__outsider_refused_before_sending(ok, fails, alpha, accounts):
    before = accounts[7].nonce
    output = fails("wind-down", "--pool", "alpha", "--account", "TEST::7", code=2)
    assert (
        "cannot wind down pool" in output and "only the pool's owner" in output and "or a guardian" in output
    )
    assert accounts[7].nonce == before and alpha.wind_down_round() == 0
    ok("grant-role", "--to", "TEST::2", "--role", "guardian", "--account", "TEST::0")
    assert "as its guardian" in ok("wind-down", "--pool", "alpha", "--account", "TEST::2")


def test_wind_down__twice_or_closed__refused(ok, fails, alpha, advance, workdir):
    ok("wind-down", "--pool", "alpha", "--account", "TEST::3")
    output = fails("wind-down", "--pool", "alpha", "--account", "TEST::3", code=2)
    assert "is already winding down: round 1 is its last, and settling it closes the pool" in output
    advance()
    settle(ok, workdir, 1)
    output = fails("wind-down", "--pool", "alpha", "--account", "TEST::3", code=2)
    assert "is already closed (wound down): nothing to wind down" in output


def test_wind_down__dry_run__sends_nothing(ok, alpha, accounts):
    before = accounts[3].nonce
    output = ok("wind-down", "--pool", "alpha", "--dry-run", "--account", "TEST::3")
    assert f"Dry run: DelegationPool({alpha.address}).wind_down() not sent." in output
    assert accounts[3].nonce == before and alpha.wind_down_round() == 0


# ---- emergency-exit ----


def test_emergency_exit__not_stalled__refused_with_when_it_opens(
    ok, fails, alpha, advance, factory_of, accounts
):
    ok("deposit", "--pool", "alpha", "--amount", "100", "--account", "TEST::4")
    advance(2)  # round 1 closed (unsettled) a round ago: the settler is merely behind
    opens = factory_of.round_start(2) + 30 * DAY
    before = accounts[7].nonce
    output = fails("emergency-exit", "--pool", "alpha", "--account", "TEST::7", code=2)
    assert f"pool {alpha.address} (alpha) is not stalled, so its emergency exit is shut" in output
    assert f"its next round 1 closed at {utc(factory_of.round_start(2))}" in output
    # round 3 has just opened: the exit is a little less than 29 days away
    assert re.search(
        rf"the exit opens at {re.escape(utc(opens))} \(in (28 days 23 hours|29 days)\b", output
    ), output
    assert "only if round 1 is still unsettled then (stall gap 30 days)" in output
    assert accounts[7].nonce == before and alpha.closure() == 0
    assert "stalled" not in ok("status")


def test_emergency_exit__stalled__anyone_closes_and_holders_leave(
    ok, fails, alpha, advance, factory_of, accounts, project, with_pool
):
    nmr = project.NMR.at(with_pool["nmr"])
    ok("deposit", "--pool", "alpha", "--amount", "100", "--account", "TEST::4")
    ok("claim", "--account", "TEST::4")
    advance()
    ok("deposit", "--pool", "alpha", "--amount", "50", "--account", "TEST::5")  # pending: waits on round 1
    advance(30)  # round 32: round 1 closed 30 days ago and is still unsettled
    assert "stalled: emergency exit open" in ok("status")
    output = ok("emergency-exit", "--pool", "alpha", "--dry-run", "--account", "TEST::7")
    assert (
        f"Emergency exit of pool {alpha.address} (alpha), as {accounts[7].address}: round 1 closed at"
        in output
    )
    assert "30 days ago, and has no result (stall gap 30 days): the settler is gone" in output
    assert "rounds 1..32 are never settled (their results are forfeited)" in output
    assert "shares redeem at once at the last settled price, 1 NMR per share" in output
    assert "pending deposits (50 NMR) come back in full" in output
    assert alpha.closure() == 0
    ok("emergency-exit", "--pool", "alpha", "--account", "TEST::7")
    assert alpha.closure() == 2  # EMERGENCY_EXIT
    assert "closed: emergency exit" in ok("status")
    # the pending deposit never converts: claim says so, cancel gives it back in full
    assert "never converts: the pool is closed" in ok("claim", "--account", "TEST::5")
    assert "Cancelled deposit request 2: 50 NMR returned" in ok(
        "cancel", "--pool", "alpha", "--account", "TEST::5"
    )
    assert nmr.balanceOf(accounts[5]) == 1000 * NMR
    # shares redeem at once at the last settled price
    assert "converts at once to 100 NMR (the final price)" in ok(
        "redeem", "--pool", "alpha", "--all", "--account", "TEST::4"
    )
    ok("claim", "--account", "TEST::4")
    assert nmr.balanceOf(accounts[4]) == 1000 * NMR
    output = fails("emergency-exit", "--pool", "alpha", "--account", "TEST::7", code=2)
    assert "is already closed (emergency exit)" in output
    output = fails("deposit", "--pool", "alpha", "--amount", "1", "--account", "TEST::4", code=2)
    assert "is closed (emergency exit) and takes no deposits" in output


def test_emergency_exit__closed_pool_pending_redemption__cancel_then_redeem_at_once(
    ok, alpha, advance, accounts
):
    ok("deposit", "--pool", "alpha", "--amount", "100", "--account", "TEST::4")
    ok("claim", "--account", "TEST::4")
    advance()
    ok("redeem", "--pool", "alpha", "--shares", "30", "--account", "TEST::4")  # waits on round 1
    advance(31)
    ok("emergency-exit", "--pool", "alpha", "--account", "TEST::5")
    output = ok("status", "--account", "TEST::4")
    assert "never: the pool is closed" in output
    output = ok("cancel", "--pool", "alpha", "--account", "TEST::4")
    assert "Cancelled redeem request 2: 30 shares returned" in output
    assert (
        "The pool is closed: `ape pools redeem` converts those shares at once at its final price." in output
    )
    assert alpha.balanceOf(accounts[4]) == 100 * NMR


# ---- status: every state ----


def test_status__states__active_paused_winding_down_closed(ok, alpha, advance, workdir):
    ok("create-pool", "--model-id", "beta", "--fee", "0", "--attester", "TEST::0", "--account", "TEST::3")
    ok("create-pool", "--model-id", "gamma", "--fee", "0", "--attester", "TEST::0", "--account", "TEST::3")
    ok("pause", "--pool", "beta", "--account", "TEST::3")
    ok("wind-down", "--pool", "gamma", "--account", "TEST::3")
    output = ok("status")
    assert "active" in output and "paused" in output and "winding down to round 1" in output
    ok("wind-down", "--pool", "alpha", "--account", "TEST::3")
    advance()
    write_round(workdir / "r1.json", 1, {"alpha": 0})  # alpha's last round; gamma's waits
    ok("settle", "--round", "1", "--results", "r1.json", "--account", "TEST::1")
    output = ok("status")
    assert "closed: wound down" in output and "winding down to round 1" in output
