"""`create-pool`, `deposit`, `redeem`, `cancel`, `claim`, `set-fee`, `claim-fees`, `status`."""

from __future__ import annotations

from nmr_pools.pool_contract import pool_at
from nmr_pools.settlement import model_key
from tests.integration.helpers import NMR, write_round


def pool_of(project, deployed, name="alpha"):
    factory = project.PoolFactory.at(deployed["factory"])
    return pool_at(project, factory.pool_of(model_key(name)))


# ---- create-pool (the attestation flow itself: tests/cli/test_attest.py) ----

# local play: the deployer (TEST::0, an attester) signs the ownership on the spot
ATTESTER = ("--attester", "TEST::0")


def test_create_pool__new_model__creates_pool_owned_by_account(ok, deployed, project, accounts):
    output = ok("create-pool", "--model-id", "alpha", "--fee", "12.5%", *ATTESTER, "--account", "TEST::3")
    pool = pool_of(project, deployed)
    assert f"Created pool {pool.address} for model 'alpha'" in output
    assert f"attested by {accounts[0].address}" in output
    assert pool.owner() == accounts[3] and pool.fee_bps() == 1250 and pool.symbol() == "npalpha"


def test_create_pool__model_has_pool__usage_error(ok, fails, deployed):
    ok("create-pool", "--model-id", "alpha", "--fee", "20", *ATTESTER, "--account", "TEST::3")
    output = fails(
        "create-pool", "--model-id", "alpha", "--fee", "20", *ATTESTER, "--account", "TEST::4", code=2
    )
    assert "model 'alpha' already has a pool" in output


def test_create_pool__fee_above_cap__usage_error(fails, deployed):
    output = fails(
        "create-pool", "--model-id", "alpha", "--fee", "60", *ATTESTER, "--account", "TEST::3", code=2
    )
    assert "fee 60% is above the factory's cap of 50%" in output


def test_create_pool__bad_fee__usage_error(fails, deployed):
    def create(fee: str) -> str:
        return fails("create-pool", "--model-id", "a", "--fee", fee, *ATTESTER, "--account", "TEST::3")

    assert "is not a percentage" in create("lots")
    assert "finer than one basis point" in create("1.234")
    assert "between 0% and 100%" in create("-5")


def test_create_pool__long_model_id__asks_for_name(ok, fails, deployed, project):
    long_id = "0x" + "ab" * 32
    output = fails(
        "create-pool", "--model-id", long_id, "--fee", "20", *ATTESTER, "--account", "TEST::3", code=2
    )
    assert "give a shorter --name" in output
    ok(
        "create-pool",
        "--model-id",
        long_id,
        "--name",
        "uuidmodel",
        "--fee",
        "20",
        *ATTESTER,
        "--account",
        "TEST::3",
    )
    factory = project.PoolFactory.at(deployed["factory"])
    assert factory.pool_of(bytes.fromhex("ab" * 32)) != "0x" + "00" * 20


def test_create_pool__no_deployment__says_deploy_first(fails, workdir):
    output = fails(
        "create-pool", "--model-id", "alpha", "--fee", "20", *ATTESTER, "--account", "TEST::3", code=2
    )
    assert "No deployments file" in output and "ape pools deploy" in output


def test_create_pool__unknown_account__usage_error(fails, deployed):
    output = fails(
        "create-pool", "--model-id", "alpha", "--fee", "20", *ATTESTER, "--account", "nobody", code=2
    )
    assert "Account with alias 'nobody' not found" in output


# ---- deposit ----


def test_deposit__caught_up_pool__converts_at_once_and_claims(ok, with_pool, project, accounts):
    output = ok("deposit", "--pool", "alpha", "--amount", "12.5", "--account", "TEST::4")
    assert "Deposit 12.5 NMR into alpha" in output
    assert "converts at once to 12.5 shares" in output
    assert "claimable now" in output
    output = ok("claim", "--account", "TEST::4")
    assert "claimed 12.5 shares for 12.5 NMR deposited" in output
    assert pool_of(project, with_pool).balanceOf(accounts[4]) == 12_500_000_000_000_000_000


def test_deposit__after_an_unclaimed_conversion__priced_with_the_share_supply(
    ok, with_pool, project, accounts
):
    """Shares of a converted deposit are minted only when claimed (`totalSupply` is what
    circulates): the next deposit's preview counts them, as the pool's price does."""
    ok("deposit", "--pool", "alpha", "--amount", "12.5", "--account", "TEST::4")
    pool = pool_of(project, with_pool)
    assert pool.totalSupply() == 0 and pool.share_supply() == 12_500_000_000_000_000_000
    output = ok("deposit", "--pool", "alpha", "--amount", "10", "--account", "TEST::5")
    assert "converts at once to 10 shares" in output
    assert pool.maxMint(accounts[5]) == 10 * NMR


def test_deposit__existing_allowance__uses_change_approval(ok, with_pool, project, accounts):
    pool = pool_of(project, with_pool)
    nmr = project.NMR.at(with_pool["nmr"])
    nmr.approve(pool, 1 * NMR, sender=accounts[4])  # a leftover non-zero allowance
    output = ok("deposit", "--pool", "alpha", "--amount", "5", "--account", "TEST::4")
    assert "changeApproval from 1 NMR" in output
    assert pool.maxDeposit(accounts[4]) == 5 * NMR


def test_deposit__unsettled_rounds__previews_range_and_waits(ok, with_pool, advance):
    advance(2)  # rounds 1 and 2 closed, unsettled
    output = ok("deposit", "--pool", "alpha", "--amount", "10", "--account", "TEST::4")
    assert "converts after round 2 is settled (2 round(s) to go)" in output
    assert "claimable once round 2 is settled" in output


def test_deposit__more_than_balance__bad_parameter(fails, with_pool):
    output = fails("deposit", "--pool", "alpha", "--amount", "5000", "--account", "TEST::4", code=2)
    assert "holds 1,000 NMR, less than 5,000 NMR" in output


def test_deposit__bad_amounts__bad_parameter(fails, with_pool):
    assert "is not a number" in fails(
        "deposit", "--pool", "alpha", "--amount", "ten", "--account", "TEST::4", code=2
    )
    assert "more than 0 NMR" in fails(
        "deposit", "--pool", "alpha", "--amount", "0", "--account", "TEST::4", code=2
    )
    assert "is negative" in fails(
        "deposit", "--pool", "alpha", "--amount", "-1", "--account", "TEST::4", code=2
    )
    assert "more than 18 decimals" in fails(
        "deposit", "--pool", "alpha", "--amount", "0.0000000000000000001", "--account", "TEST::4", code=2
    )


def test_deposit__unknown_pool__bad_parameter(fails, with_pool):
    output = fails("deposit", "--pool", "nosuch", "--amount", "1", "--account", "TEST::4", code=2)
    assert "model 'nosuch' has no pool" in output
    output = fails("deposit", "--pool", "0x" + "12" * 20, "--amount", "1", "--account", "TEST::4", code=2)
    assert "is not a pool of factory" in output


def test_deposit__paused_pool__usage_error(fails, with_pool, project, accounts):
    pool_of(project, with_pool).pause(sender=accounts[3])
    output = fails("deposit", "--pool", "alpha", "--amount", "1", "--account", "TEST::4", code=2)
    assert "is paused and takes no new deposits" in output


def test_deposit__deposit_limit__bad_parameter(fails, with_pool, project, accounts):
    pool_of(project, with_pool).set_deposit_limit(5 * NMR, sender=accounts[3])
    output = fails("deposit", "--pool", "alpha", "--amount", "6", "--account", "TEST::4", code=2)
    assert "deposit limit leaves room for 5 NMR only" in output


# ---- redeem, cancel, claim ----


def test_redeem__caught_up__converts_at_once_and_claims(ok, with_pool, project, accounts):
    ok("deposit", "--pool", "alpha", "--amount", "100", "--account", "TEST::4")
    ok("claim", "--pool", "alpha", "--account", "TEST::4")
    output = ok("redeem", "--pool", "alpha", "--shares", "40", "--account", "TEST::4")
    assert "converts at once to 40 NMR" in output
    output = ok("claim", "--account", "TEST::4")
    assert "claimed 40 NMR for 40 shares redeemed" in output
    output = ok("redeem", "--pool", "alpha", "--all", "--account", "TEST::4")
    assert "Redeem 60 shares" in output


def test_redeem__errors(ok, fails, with_pool):
    assert "give either --shares AMOUNT or --all" in fails(
        "redeem", "--pool", "alpha", "--account", "TEST::4", code=2
    )
    assert "holds no shares" in fails("redeem", "--pool", "alpha", "--all", "--account", "TEST::4", code=2)
    ok("deposit", "--pool", "alpha", "--amount", "10", "--account", "TEST::4")
    output = fails("redeem", "--pool", "alpha", "--shares", "5", "--account", "TEST::4", code=2)
    assert "holds 0 shares, less than 5 shares (claim converted deposits first" in output


def test_cancel__request_in_open_round__returns_nmr(ok, fails, with_pool, advance, project, accounts):
    advance(2)
    ok("deposit", "--pool", "alpha", "--amount", "10", "--account", "TEST::4")
    output = ok("cancel", "--pool", "alpha", "--account", "TEST::4")
    assert "Cancelled deposit request 3: 10 NMR returned" in output
    assert project.NMR.at(with_pool["nmr"]).balanceOf(accounts[4]) == 1000 * NMR


def test_cancel__round_closed__usage_error_lists_pending(ok, fails, with_pool, advance):
    advance(2)
    ok("deposit", "--pool", "alpha", "--amount", "10", "--account", "TEST::4")
    advance()
    output = fails("cancel", "--pool", "alpha", "--account", "TEST::4", code=2)
    assert "only requests made in the open round 4 can be cancelled" in output
    assert "deposit request 3 (10 NMR)" in output


def test_claim__nothing__says_so_and_lists_pending(ok, with_pool, advance):
    advance(2)
    ok("deposit", "--pool", "alpha", "--amount", "10", "--account", "TEST::4")
    output = ok("claim", "--account", "TEST::4")
    assert "Nothing to claim" in output
    assert "deposit of 10 NMR (round 3) claimable once round 2 is settled" in output


# ---- owner: set-fee, claim-fees ----


def test_set_fee__decrease_now_increase_later(ok, with_pool, project):
    assert "changed from 20% to 10%, effective now" in ok(
        "set-fee", "--pool", "alpha", "--fee", "10", "--account", "TEST::3"
    )
    output = ok("set-fee", "--pool", "alpha", "--fee", "30", "--account", "TEST::3")
    assert "increase" in output and "applies from round 31" in output


def test_set_fee__not_owner__usage_error(fails, with_pool):
    output = fails("set-fee", "--pool", "alpha", "--fee", "10", "--account", "TEST::4", code=2)
    assert "only the pool's owner" in output


def test_set_fee__above_cap__bad_parameter(fails, with_pool):
    assert "above the factory's cap of 50%" in fails(
        "set-fee", "--pool", "alpha", "--fee", "51", "--account", "TEST::3"
    )


def test_claim_fees__after_gain__pays_owner(ok, with_pool, advance, workdir, project, accounts):
    ok("deposit", "--pool", "alpha", "--amount", "100", "--account", "TEST::4")
    advance()
    write_round(workdir / "r1.json", 1, {"alpha": 5 * 10**16})
    ok("settle", "--round", "1", "--results", "r1.json", "--account", "TEST::1")
    assert "Claimed 1 NMR of fees" in ok("claim-fees", "--pool", "alpha", "--account", "TEST::3")
    assert "owes no fees yet" in ok("claim-fees", "--pool", "alpha", "--account", "TEST::3")


def test_claim_fees__not_owner__usage_error(fails, with_pool):
    assert "only the pool's owner" in fails("claim-fees", "--pool", "alpha", "--account", "TEST::4", code=2)


# ---- status ----


def test_status__pools_and_account(ok, with_pool, advance, workdir):
    ok("deposit", "--pool", "alpha", "--amount", "100", "--account", "TEST::4")
    advance(2)
    ok("deposit", "--pool", "alpha", "--amount", "50", "--account", "TEST::4")
    output = ok("status", "--account", "TEST::4")
    assert "alpha" in output and "rounds waiting" in output
    assert "deposit 50 NMR (r3)" in output
    assert "after round 2 (2 to settle)" in output
    assert "100 shares" in output  # claimable deposit from round 1
    # 100 shares bear 3 in-flight rounds, the 50 NMR deposit bears round 3: best 100*1.05^3 + 50*1.05
    assert "168.2625 NMR" in output
    assert "133.2375 NMR" in output  # 100*0.95^3 + 50*0.95


def test_status__no_pools__says_how_to_create(ok, deployed):
    assert "No pools yet" in ok("status")


def test_status__unknown_account__bad_parameter(fails, with_pool):
    assert "neither an address" in fails("status", "--account", "nobody", code=2)
