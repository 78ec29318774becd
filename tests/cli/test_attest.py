"""Model ownership attestations: `attest` writes one, `create-pool --attestation` checks every term
the factory checks before sending (one sentence each, nothing sent), `--attester` signs on the spot."""

from __future__ import annotations

import json

import pytest

from nmr_pools.attestation import Attestation
from nmr_pools.cli.times import utc
from nmr_pools.pool_contract import pool_at
from nmr_pools.settlement import model_key

ZERO = "0x" + "00" * 20


@pytest.fixture
def attestation(ok, deployed, workdir, accounts):
    """The deployer's (TEST::0, an attester) attestation that TEST::3 owns model "alpha", in alpha.json."""
    output = ok(
        "attest", "--model-id", "alpha", "--owner", "TEST::3", "--out", "alpha.json", "--account", "TEST::0"
    )
    assert (
        f"Attest as {accounts[0].address}: {accounts[3].address} owns model 'alpha' (pool name 'alpha')"
        in output
    )
    return workdir / "alpha.json"


def pool_of(project, deployed, name="alpha"):
    return pool_at(project, project.PoolFactory.at(deployed["factory"]).pool_of(model_key(name)))


def edit(path, **changes) -> None:
    document = json.loads(path.read_text())
    path.write_text(json.dumps({**document, **changes}))


def test_attest__writes_document__owner_creates_the_pool_with_it(
    ok, attestation, deployed, project, accounts, chain
):
    document = Attestation.from_json(attestation.read_text())
    assert document.chain_id == chain.chain_id and document.factory == deployed["factory"]
    assert document.model_key == model_key("alpha") and document.model_name == "alpha"
    assert document.owner == accounts[3].address and document.attester == accounts[0].address
    # valid for 7 days by default
    assert 7 * 86_400 - 60 <= document.deadline - chain.pending_timestamp <= 7 * 86_400
    nonce = accounts[0].nonce
    output = ok(
        "create-pool",
        "--model-id",
        "alpha",
        "--fee",
        "20",
        "--attestation",
        attestation,
        "--account",
        "TEST::3",
    )
    assert f"attested by {accounts[0].address}" in output
    pool = pool_of(project, deployed)
    assert pool.owner() == accounts[3].address and pool.symbol() == "npalpha"
    assert accounts[0].nonce == nonce  # attesting is a signature, not a transaction


def test_attest__default_file_name_and_days(ok, deployed, workdir, chain):
    output = ok(
        "attest",
        "--model-id",
        "beta",
        "--name",
        "Beta",
        "--owner",
        "TEST::3",
        "--days",
        "1",
        "--account",
        "TEST::0",
    )
    document = Attestation.from_json((workdir / "attestation-Beta.json").read_text())
    assert document.model_name == "Beta" and "Wrote attestation-Beta.json" in output
    assert 86_400 - 60 <= document.deadline - chain.pending_timestamp <= 86_400
    assert "ape pools create-pool --model-id beta --attestation attestation-Beta.json" in output


def test_attest__not_an_attester__refused_naming_grant_role(ok, fails, deployed, workdir):
    output = fails("attest", "--model-id", "alpha", "--owner", "TEST::3", "--account", "TEST::6", code=2)
    assert "cannot attest model ownership: it is not an attester of factory" in output
    assert "`ape pools grant-role --role attester`" in output
    assert not list(workdir.glob("attestation-*.json"))
    ok("grant-role", "--to", "TEST::6", "--role", "attester", "--account", "TEST::0")
    ok("attest", "--model-id", "alpha", "--owner", "TEST::3", "--account", "TEST::6")
    ok(
        "create-pool",
        "--model-id",
        "alpha",
        "--fee",
        "20",
        "--attestation",
        "attestation-alpha.json",
        "--account",
        "TEST::3",
    )


def test_attest__model_has_a_pool__refused(ok, fails, with_pool):
    output = fails("attest", "--model-id", "alpha", "--owner", "TEST::6", "--account", "TEST::0", code=2)
    assert "model 'alpha' already has a pool" in output


def test_create_pool__no_attestation__says_how_to_get_one(fails, deployed, accounts):
    nonce = accounts[3].nonce
    output = fails("create-pool", "--model-id", "alpha", "--fee", "20", "--account", "TEST::3", code=2)
    assert "needs an attester's word that you own the model: give --attestation FILE" in output
    assert "--attester TEST::0" in output and accounts[3].nonce == nonce


def test_create_pool__both_ways__usage_error(fails, attestation):
    output = fails(
        "create-pool",
        "--model-id",
        "alpha",
        "--fee",
        "20",
        "--attestation",
        attestation,
        "--attester",
        "TEST::0",
        "--account",
        "TEST::3",
        code=2,
    )
    assert "give --attestation FILE or --attester ACCOUNT, not both" in output


def refused(fails, accounts, path, *, model="alpha", account="TEST::3", extra=()) -> str:
    """create-pool with the attestation at `path` must fail cleanly and send nothing."""
    nonce = accounts[int(account[6:])].nonce
    output = fails(
        "create-pool",
        "--model-id",
        model,
        "--fee",
        "20",
        "--attestation",
        path,
        *extra,
        "--account",
        account,
        code=2,
    )
    assert accounts[int(account[6:])].nonce == nonce
    assert output.startswith("Error: Invalid value for --attestation:"), output
    return output


def test_create_pool__attestation_for_another_owner__refused(fails, attestation, accounts):
    output = refused(fails, accounts, attestation, account="TEST::4")
    assert f"it lets {accounts[3].address} create the pool, not {accounts[4].address}" in output


def test_create_pool__attestation_expired__refused(fails, attestation, advance, accounts):
    deadline = Attestation.from_json(attestation.read_text()).deadline
    advance(8)
    output = refused(fails, accounts, attestation)
    assert f"it expired at {utc(deadline)}" in output and "ask the attester for a new one" in output


def test_create_pool__attestation_of_another_model_or_name__refused(fails, attestation, accounts):
    assert "it attests model 0x" in refused(fails, accounts, attestation, model="beta")
    output = refused(fails, accounts, attestation, extra=("--name", "other"))
    assert "it names the pool 'alpha', not 'other'" in output


def test_create_pool__altered_attestation__signature_refused(fails, attestation, accounts):
    # the document now names TEST::4 as owner, and TEST::4 sends: the signature covers TEST::3
    edit(attestation, owner=accounts[4].address)
    output = refused(fails, accounts, attestation, account="TEST::4")
    assert f"its signature is not {accounts[0].address}'s" in output


def test_create_pool__attester_revoked_since__refused(ok, fails, attestation, accounts):
    ok("grant-role", "--to", "TEST::6", "--role", "admin", "--account", "TEST::0")
    ok("revoke-role", "--from", "TEST::0", "--role", "attester", "--account", "TEST::6")
    output = refused(fails, accounts, attestation)
    assert f"its signer {accounts[0].address} is not an attester of factory" in output


def test_create_pool__other_factory_or_chain__refused(fails, attestation, accounts):
    edit(attestation, factory="0x" + "12" * 20)
    assert "it was made for factory 0x1212" in refused(fails, accounts, attestation)
    edit(attestation, chain_id=5)
    assert "it was made for chain id 5, not this chain" in refused(fails, accounts, attestation)


def test_create_pool__not_an_attestation__refused(fails, attestation, accounts):
    attestation.write_text("{not json")
    assert "is not JSON" in refused(fails, accounts, attestation)
    attestation.write_text(json.dumps({"model_id": "0x00"}))
    assert "is not an attestation: the field 'chain_id' is missing" in refused(fails, accounts, attestation)


def test_create_pool__forged_file__factory_refuses_it_too(fails, attestation, accounts, project, deployed):
    """The CLI's checks only save gas: the factory refuses a forged attestation on its own."""
    from ape.exceptions import ContractLogicError

    document = Attestation.from_json(attestation.read_text())
    factory = project.PoolFactory.at(deployed["factory"])
    with pytest.raises(ContractLogicError, match="factory: invalid attestation"):
        factory.create_pool(
            document.model_key,
            document.model_name,
            0,
            document.attester,
            document.deadline,
            document.signature_bytes,
            sender=accounts[4],
        )


def test_create_pool__attester_on_the_spot__must_hold_the_role(fails, deployed, accounts):
    output = fails(
        "create-pool",
        "--model-id",
        "alpha",
        "--fee",
        "20",
        "--attester",
        "TEST::6",
        "--account",
        "TEST::3",
        code=2,
    )
    assert f"{accounts[6].address} cannot attest model ownership: it is not an attester" in output
    output = fails(
        "create-pool",
        "--model-id",
        "alpha",
        "--fee",
        "20",
        "--attester",
        "nobody-here",
        "--account",
        "TEST::3",
        code=2,
    )
    assert "'nobody-here' is not an account whose key is here" in output
