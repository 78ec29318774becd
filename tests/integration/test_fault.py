"""Faults on anvil: the node drops in the middle of a multi-batch settlement; re-running
`settle` after the node is back finishes the job with every pool settled exactly once."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from nmr_pools.cli import cli
from nmr_pools.deployment import create_attested_pool
from nmr_pools.errors import SettlementError
from nmr_pools.settlement import execute_plan, plan_settlement, read_results
from tests.integration.helpers import NMR, model_key, write_round

NETWORK = "ethereum:local:foundry"
MODELS = ["m1", "m2", "m3", "m4", "m5"]


def invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, [*map(str, args), "--network", NETWORK])
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    return result.output


def settled_events(pool) -> list[int]:
    return [int(log.event_arguments["round"]) for log in pool.Settled.query("*", start_block=0).itertuples()]


def test_settle__node_dies_after_first_batch__rerun_settles_each_pool_once(
    on_anvil, anvil_node, tmp_path, monkeypatch, project, accounts
):
    monkeypatch.chdir(tmp_path)
    invoke("deploy", "--account", "TEST::0", "--fund-treasury", "100000", "--settler", "TEST::1")
    deployed = json.loads((tmp_path / "deployments" / "ethereum-local.json").read_text())
    factory = project.PoolFactory.at(deployed["factory"])
    nmr = project.NMR.at(deployed["nmr"])
    owner, alice, settler = accounts[3], accounts[4], accounts[1]
    pools = []
    nmr.transfer(alice, 1_000 * NMR, sender=accounts[0])  # the deployer holds the premined supply
    for name in MODELS:
        pool = create_attested_pool(
            project,
            factory,
            attester=accounts[0],
            owner=owner,
            model_id=model_key(name),
            model_name=name,
            fee_bps=2_000,
        )
        nmr.approve(pool, 100 * NMR, sender=alice)
        pool.requestDeposit(100 * NMR, alice, alice, sender=alice)
        pools.append(pool)
    anvil_node.set_time(factory.round_start(2))
    path = tmp_path / "round-1.json"
    write_round(path, 1, {name: (i - 2) * 10**16 for i, name in enumerate(MODELS)})

    # run 1: batches of 2 pools; the node goes down (state dumped) right after batch 1
    plan = plan_settlement(
        factory, read_results(path), sender=settler, batch_size=2, multicall=deployed["multicall"]
    )
    assert plan.ok and len(plan.batches) == 3

    def drop_node(done: int, total: int) -> None:
        if done == 2:
            anvil_node.stop()

    with pytest.raises(SettlementError, match="Batch 2 of 3 failed.*Re-run the same command"):
        execute_plan(plan, settler, progress=drop_node)

    # the node comes back from its dumped state (anvil restarts its clock from the wall
    # clock, so move it back past the round's close)
    anvil_node.start(load=True)
    anvil_node.set_time(factory.round_start(2) + 60)
    assert [int(p.last_settled_round()) for p in pools] == [1, 1, 0, 0, 0]

    # run 2: the same command finishes the job
    output = invoke("settle", "--round", "1", "--results", path, "--batch-size", "2", "--account", "TEST::1")
    assert "Round 1: 3 pool(s) settled in 2 transaction(s)" in output
    assert output.count("already settled round 1") == 2
    for pool in pools:
        assert pool.last_settled_round() == 1
        assert settled_events(pool) == [1], pool.address

    # run 3: nothing left; a corrupted file sends nothing
    assert "Nothing to settle for round 1" in invoke(
        "settle", "--round", "1", "--results", path, "--account", "TEST::1"
    )
    nonce = settler.nonce
    path.write_bytes(path.read_bytes().replace(b'"m1"', b'"m9"'))
    result = CliRunner().invoke(
        cli, ["settle", "--round", "1", "--results", str(path), "--account", "TEST::1", "--network", NETWORK]
    )
    assert result.exit_code == 2 and "Results file refused, nothing sent" in result.output
    assert settler.nonce == nonce
