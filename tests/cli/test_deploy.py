"""`ape pools deploy`."""

from __future__ import annotations


def test_deploy__local__writes_deployments_file(ok, workdir, chain, project, accounts):
    output = ok("deploy", "--account", "TEST::0", "--fund-treasury", "1000", "--settler", "TEST::1")
    path = workdir / "deployments" / "ethereum-local.json"
    assert f"Wrote {path}" in output
    import json

    data = json.loads(path.read_text())
    assert set(data) == {
        "ecosystem",
        "network",
        "chain_id",
        "block",
        "nmr",
        "treasury",
        "pool_implementation",
        "pool_extension",
        "factory",
        "multicall",
        "nmr_stand_in",
        "deployer",
    }
    # the faucet recognises the stand-in by this record, never by probing the token
    assert data["nmr_stand_in"] is True and data["deployer"] == accounts[0].address
    nmr = project.NMR.at(data["nmr"])
    # the whole supply premined to the deployer; the treasury was funded from it
    assert (
        nmr.totalSupply() == 11_000_000 * 10**18
        and nmr.balanceOf(accounts[0]) == (11_000_000 - 1000) * 10**18
    )
    assert chain.provider.get_code(data["multicall"])  # the read aggregator `settle` batches through
    # the pools' second half: the implementation delegates every call it does not know to it
    assert project.DelegationPool.at(data["pool_implementation"]).EXTENSION() == data["pool_extension"]
    assert data["chain_id"] == chain.chain_id
    factory = project.PoolFactory.at(data["factory"])
    assert factory.is_settler(accounts[1])
    assert project.PayoutTreasury.at(data["treasury"]).available() == 1000 * 10**18
