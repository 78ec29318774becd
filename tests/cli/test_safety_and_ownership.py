"""The pool admin commands: `pause`/`unpause`, `set-deposit-limit`, `transfer-ownership`/
`accept-ownership`, `revoke-role`, `deploy-multicall`: the role is checked before anything is
sent, a preview says what will happen, and --dry-run sends nothing."""

from __future__ import annotations

import json

import pytest

from nmr_pools.pool_contract import pool_at
from nmr_pools.settlement import model_key

NMR = 10**18
UNLIMITED = 2**256 - 1


@pytest.fixture
def alpha(project, with_pool):
    """Pool "alpha" (owner TEST::3) as a contract instance."""
    return pool_at(project, project.PoolFactory.at(with_pool["factory"]).pool_of(model_key("alpha")))


@pytest.fixture
def guardian(ok, deployed):
    """TEST::2 as a factory guardian."""
    ok("grant-role", "--to", "TEST::2", "--role", "guardian", "--account", "TEST::0")
    return "TEST::2"


def nonce_of(accounts, index):
    return accounts[index].nonce


# ---- pause / unpause ----


def test_pause__owner__previews_pauses_and_deposits_are_refused(ok, fails, alpha):
    output = ok("pause", "--pool", "alpha", "--account", "TEST::3")
    assert f"Pause pool {alpha.address} (alpha) as its owner" in output
    assert "redeeming, cancelling and claiming go on" in output
    assert alpha.paused()
    assert "paused" in fails("deposit", "--pool", "alpha", "--amount", "1", "--account", "TEST::4")


def test_pause__guardian__allowed_and_unpause_reopens(ok, alpha, guardian):
    assert "as its guardian" in ok("pause", "--pool", "alpha", "--account", guardian)
    output = ok("unpause", "--pool", "alpha", "--account", guardian)
    assert "new deposit requests will be accepted again" in output and not alpha.paused()
    ok("deposit", "--pool", "alpha", "--amount", "1", "--account", "TEST::4")


def test_pause__outsider__refused_before_sending(fails, alpha, accounts):
    before = nonce_of(accounts, 7)
    output = fails("pause", "--pool", "alpha", "--account", "TEST::7", code=2)
    assert "cannot pause pool" in output and "only the pool's owner" in output and "or a guardian" in output
    assert nonce_of(accounts, 7) == before and not alpha.paused()


def test_pause__twice_or_unpause_open_pool__nothing_to_do(ok, fails, alpha):
    assert "is not paused: nothing to do" in fails(
        "unpause", "--pool", "alpha", "--account", "TEST::3", code=2
    )
    ok("pause", "--pool", "alpha", "--account", "TEST::3")
    assert "is already paused: nothing to do" in fails(
        "pause", "--pool", "alpha", "--account", "TEST::3", code=2
    )


def test_pause__dry_run__sends_nothing(ok, alpha, accounts):
    before = nonce_of(accounts, 3)
    output = ok("pause", "--pool", "alpha", "--dry-run", "--account", "TEST::3")
    assert f"Dry run: DelegationPool({alpha.address}).pause() not sent." in output
    assert nonce_of(accounts, 3) == before and not alpha.paused()


# ---- set-deposit-limit ----


def test_set_deposit_limit__amount__caps_requests(ok, fails, alpha):
    ok("deposit", "--pool", "alpha", "--amount", "40", "--account", "TEST::4")
    output = ok("set-deposit-limit", "--pool", "alpha", "--amount", "100", "--account", "TEST::3")
    assert "from unlimited to 100 NMR: room for 60 NMR more" in output
    assert alpha.deposit_limit() == 100 * NMR
    assert "leaves room for 60 NMR only" in fails(
        "deposit", "--pool", "alpha", "--amount", "61", "--account", "TEST::5"
    )
    ok("deposit", "--pool", "alpha", "--amount", "60", "--account", "TEST::5")


def test_set_deposit_limit__below_holdings__preview_says_deposits_stop(ok, alpha):
    ok("deposit", "--pool", "alpha", "--amount", "40", "--account", "TEST::4")
    output = ok("set-deposit-limit", "--pool", "alpha", "--amount", "10", "--dry-run", "--account", "TEST::3")
    assert "already counts 40 NMR against it" in output and "not sent" in output
    assert alpha.deposit_limit() == UNLIMITED


def test_set_deposit_limit__unlimited__lifts_the_cap(ok, fails, alpha):
    ok("set-deposit-limit", "--pool", "alpha", "--amount", "5", "--account", "TEST::3")
    assert "to unlimited" in ok("set-deposit-limit", "--pool", "alpha", "--unlimited", "--account", "TEST::3")
    assert alpha.deposit_limit() == UNLIMITED
    assert "already unlimited" in fails(
        "set-deposit-limit", "--pool", "alpha", "--unlimited", "--account", "TEST::3", code=2
    )


def test_set_deposit_limit__bad_arguments_or_not_owner__refused(fails, alpha, accounts):
    assert "either --amount NMR or --unlimited" in fails(
        "set-deposit-limit", "--pool", "alpha", "--account", "TEST::3", code=2
    )
    assert "either --amount NMR or --unlimited" in fails(
        "set-deposit-limit", "--pool", "alpha", "--amount", "5", "--unlimited", "--account", "TEST::3", code=2
    )
    before = nonce_of(accounts, 4)
    output = fails("set-deposit-limit", "--pool", "alpha", "--amount", "5", "--account", "TEST::4", code=2)
    assert "only the pool's owner" in output and nonce_of(accounts, 4) == before


# ---- transfer-ownership / accept-ownership ----


def test_ownership__two_steps__offer_then_accept(ok, fails, alpha, accounts):
    output = ok("transfer-ownership", "--pool", "alpha", "--to", "TEST::6", "--account", "TEST::3")
    assert f"Offer pool {alpha.address} (alpha) to {accounts[6].address}" in output
    assert "stays its owner until" in output and "accept-ownership" in output
    assert alpha.owner() == accounts[3].address and alpha.pending_owner() == accounts[6].address
    # only the offered account may accept
    assert "it is offered to" in fails("accept-ownership", "--pool", "alpha", "--account", "TEST::7", code=2)
    assert "becomes its owner" in ok("accept-ownership", "--pool", "alpha", "--account", "TEST::6")
    assert alpha.owner() == accounts[6].address
    # the new owner holds the owner's powers, the old one lost them
    ok("pause", "--pool", "alpha", "--account", "TEST::6")
    assert "only the pool's owner" in fails("unpause", "--pool", "alpha", "--account", "TEST::3", code=2)


def test_ownership__cancel__withdraws_offer(ok, fails, alpha, accounts):
    assert "no pending ownership offer" in fails(
        "transfer-ownership", "--pool", "alpha", "--cancel", "--account", "TEST::3", code=2
    )
    ok("transfer-ownership", "--pool", "alpha", "--to", "TEST::6", "--account", "TEST::3")
    output = ok("transfer-ownership", "--pool", "alpha", "--cancel", "--account", "TEST::3")
    assert f"Withdraw the offer of pool {alpha.address} (alpha) to {accounts[6].address}" in output
    assert int(alpha.pending_owner(), 16) == 0
    assert "no offer is pending" in fails(
        "accept-ownership", "--pool", "alpha", "--account", "TEST::6", code=2
    )


def test_ownership__refusals__before_sending(fails, alpha, accounts):
    before = nonce_of(accounts, 4)
    assert "only the pool's owner" in fails(
        "transfer-ownership", "--pool", "alpha", "--to", "TEST::4", "--account", "TEST::4", code=2
    )
    assert nonce_of(accounts, 4) == before
    zero = "0x" + "00" * 20
    assert "zero address cannot own a pool" in fails(
        "transfer-ownership", "--pool", "alpha", "--to", zero, "--account", "TEST::3", code=2
    )
    assert "already owns" in fails(
        "transfer-ownership", "--pool", "alpha", "--to", "TEST::3", "--account", "TEST::3", code=2
    )
    assert "either --to NEW_OWNER or --cancel" in fails(
        "transfer-ownership", "--pool", "alpha", "--account", "TEST::3", code=2
    )


# ---- revoke-role ----


def test_revoke_role__admin_revokes_settler(ok, fails, deployed, factory_of, accounts):
    assert factory_of.is_settler(accounts[1])
    output = ok("revoke-role", "--from", "TEST::1", "--role", "settler", "--account", "TEST::0")
    assert f"Revoke the settler role of {accounts[1].address}" in output and "settle rounds" in output
    assert "now holds no role" in output and not factory_of.is_settler(accounts[1])
    assert "is not a settler" in fails(
        "revoke-role", "--from", "TEST::1", "--role", "settler", "--account", "TEST::0", code=2
    )


def test_revoke_role__not_admin_or_own_admin__refused(fails, deployed, accounts):
    before = nonce_of(accounts, 1)
    assert "is not an admin of factory" in fails(
        "revoke-role", "--from", "TEST::0", "--role", "settler", "--account", "TEST::1", code=2
    )
    assert nonce_of(accounts, 1) == before
    assert "cannot revoke its own admin role" in fails(
        "revoke-role", "--from", "TEST::0", "--role", "admin", "--account", "TEST::0", code=2
    )


def test_revoke_role__dry_run__sends_nothing(ok, deployed, factory_of, accounts):
    output = ok("revoke-role", "--from", "TEST::1", "--role", "settler", "--dry-run", "--account", "TEST::0")
    assert "revoke_role(" in output and "not sent" in output and factory_of.is_settler(accounts[1])


# ---- deploy-multicall ----


def test_deploy__records_multicall__and_deploy_multicall_adds_one_to_an_old_file(
    ok, fails, deployed, workdir, project
):
    assert deployed["multicall"] and project.provider.get_code(deployed["multicall"])
    assert "already names a live aggregator" in fails("deploy-multicall", "--account", "TEST::0", code=2)
    path = workdir / "deployments" / "ethereum-local.json"
    old = {key: value for key, value in deployed.items() if key != "multicall"}
    path.write_text(json.dumps(old))
    output = ok("deploy-multicall", "--account", "TEST::5")
    new = json.loads(path.read_text())
    assert new["multicall"] and new["multicall"] != deployed["multicall"] and f"recorded in {path}" in output
    assert {key: new[key] for key in old} == old
