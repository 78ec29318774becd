"""The settlement library on the in-process chain: plan -> checks -> batches -> send -> summary."""

from __future__ import annotations

import pytest

from nmr_pools.deployment import create_attested_pool
from nmr_pools.errors import SettlementError
from nmr_pools.settlement import execute_plan, plan_settlement, read_results
from tests.integration.helpers import NMR, model_key, round_results, write_round


@pytest.fixture
def funded_pools(create_model_pool, fund, alice, bob):
    """Three pools with 100, 200 and 300 NMR active."""
    pools = {}
    for amount, name, who in ((100, "alpha", alice), (200, "beta", bob), (300, "gamma", alice)):
        pool = create_model_pool(name)
        fund(who, amount * NMR, pool)
        pool.requestDeposit(amount * NMR, who, who, sender=who)
        pools[name] = pool
    return pools


def settled_events(pool, round_id):
    return [
        log
        for log in pool.Settled.query("*", start_block=0).itertuples()
        if log.event_arguments["round"] == round_id
    ]


def test_settle__three_pools_in_two_batches__settles_each_once(factory, funded_pools, settler, next_round):
    next_round()
    results = round_results(1, {"alpha": 10**16, "beta": -2 * 10**16, "gamma": 0, "nopool": 5 * 10**16})
    plan = plan_settlement(factory, results, sender=settler, batch_size=2)
    assert plan.ok, plan.problems
    assert [p.model_id for p in plan.to_settle] == ["alpha", "beta", "gamma"]
    assert plan.models_without_pool == ["nopool"]
    assert plan.batch_size == 2 and len(plan.batches) == 2
    seen = []
    report = execute_plan(plan, settler, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(2, 3), (3, 3)]
    assert len(report.transactions) == 2
    assert len(report.settled) == 3
    assert report.total_paid == 1 * NMR  # 1% of 100
    assert report.total_burned == 4 * NMR  # 2% of 200
    assert report.total_fees == 2 * 10**17  # 20% of the 1 NMR gain
    for pool in funded_pools.values():
        assert pool.last_settled_round() == 1
        [event] = settled_events(pool, 1)
        assert event.event_arguments["results_digest"] == bytes.fromhex(results.digest[2:])

    again = plan_settlement(factory, results, sender=settler)
    assert again.to_settle == [] and len(again.already_settled) == 3
    assert execute_plan(again, settler).settled == []


def test_plan__round_not_next__refused_before_sending(factory, funded_pools, settler, next_round):
    next_round(3)
    plan = plan_settlement(factory, round_results(2, {"alpha": 10**16}))
    assert not plan.ok
    assert "alpha: pool" in plan.problems[0] and "settle rounds 1..1 first" in plan.problems[0]
    with pytest.raises(SettlementError, match="nothing sent"):
        execute_plan(plan, settler)
    assert funded_pools["alpha"].last_settled_round() == 0


def test_plan__round_still_open__refused(factory, funded_pools):
    plan = plan_settlement(factory, round_results(1, {"alpha": 10**16}))
    assert any("not closed yet" in problem for problem in plan.problems)


def test_plan__return_above_cap__refused(factory, funded_pools, deployer, next_round):
    factory.set_return_cap(2 * 10**16, sender=deployer)
    next_round()
    plan = plan_settlement(factory, round_results(1, {"alpha": 3 * 10**16}))
    assert any("alpha: return +3% exceeds the factory's cap of ±2%" in p for p in plan.problems)


def test_plan__treasury_short__settles_and_says_what_stays_owed(
    project, system, owner, deployer, alice, settler, chain
):
    # the `system` fixture's treasury is empty: round 1's 1 NMR gain cannot be paid, round 2's
    # settlement collects it once the treasury holds 0.6 NMR (then 0.4 NMR stays owed)
    factory = system.factory
    pool = create_attested_pool(
        project,
        factory,
        attester=deployer,
        owner=owner,
        model_id=model_key("alpha"),
        model_name="alpha",
        fee_bps=0,
    )
    system.nmr.transfer(alice, 100 * NMR, sender=deployer)
    system.nmr.approve(pool, 100 * NMR, sender=alice)
    pool.requestDeposit(100 * NMR, alice, alice, sender=alice)
    chain.pending_timestamp = factory.round_start(2)
    chain.mine()
    plan = plan_settlement(factory, round_results(1, {"alpha": 10**16}), sender=settler)
    assert plan.ok, plan.problems
    assert (plan.expected_draw, plan.expected_paid, plan.expected_owed) == (NMR, 0, NMR)
    assert any(
        f"treasury {system.treasury.address} holds 0 NMR, less than round 1's gains (1 NMR)" in line
        and "1 NMR stays owed to the pools" in line
        for line in plan.notes()
    ), plan.notes()
    report = execute_plan(plan, settler)
    assert (report.total_paid, report.total_unpaid) == (0, NMR)
    assert pool.treasury_owed() == NMR and pool.totalAssets() == 100 * NMR

    system.nmr.approve(system.treasury, 6 * 10**17, sender=deployer)
    system.treasury.fund(6 * 10**17, sender=deployer)
    chain.pending_timestamp = factory.round_start(3)
    chain.mine()
    plan = plan_settlement(factory, round_results(2, {"alpha": 0}), sender=settler)
    assert plan.to_settle[0].treasury_owed == NMR
    assert (plan.expected_draw, plan.expected_paid, plan.expected_owed) == (NMR, 6 * 10**17, 4 * 10**17)
    assert any("and 1 NMR owed from earlier rounds (1 NMR)" in line for line in plan.notes()), plan.notes()
    report = execute_plan(plan, settler)
    assert report.total_collected == 6 * 10**17 and report.total_unpaid == 0
    assert "  owed from earlier rounds, collected: 0.6 NMR" in report.summary()
    assert pool.treasury_owed() == 4 * 10**17 and pool.totalAssets() == 100 * NMR + 6 * 10**17
    assert system.treasury.available() == 0


def test_plan__winding_down__settles_up_to_its_last_round_then_skips(
    factory, funded_pools, owner, settler, next_round
):
    funded_pools["alpha"].wind_down(sender=owner)  # round 1 is alpha's last
    next_round()
    plan = plan_settlement(
        factory, round_results(1, {"alpha": 10**16, "beta": 0, "gamma": 0}), sender=settler
    )
    assert [item.last_round for item in plan.to_settle] == [True, False, False]
    assert any(
        "alpha's pool" in line and "round 1 is its last: settling it closes the pool" in line
        for line in plan.notes()
    )
    execute_plan(plan, settler)
    assert funded_pools["alpha"].closure() == 1  # WOUND_DOWN

    next_round()
    plan = plan_settlement(
        factory, round_results(2, {"alpha": 10**16, "beta": 0, "gamma": 0}), sender=settler
    )
    assert plan.ok and [item.model_id for item in plan.to_settle] == ["beta", "gamma"]
    assert plan.closed == [("alpha", funded_pools["alpha"].address, "wound down")]
    assert plan.pools_without_result == []
    assert (
        f"skip alpha: pool {funded_pools['alpha'].address} is closed (wound down); nothing more is settled"
        in plan.notes()
    )


def test_plan__pool_missing_from_results__reported(factory, funded_pools, next_round):
    next_round()
    plan = plan_settlement(factory, round_results(1, {"alpha": 0, "beta": 0}))
    assert plan.pools_without_result == [(funded_pools["gamma"].address, 0)]


def test_read_results__corrupted_file__refused(tmp_path):
    path = tmp_path / "round-1.json"
    write_round(path, 1, {"alpha": 10**16})
    path.write_bytes(path.read_bytes().replace(b"10000000000000000", b"20000000000000000"))
    with pytest.raises(SettlementError, match="nothing sent"):
        read_results(path)


def test_execute__not_settler__refused(factory, funded_pools, outsider, next_round):
    next_round()
    plan = plan_settlement(factory, round_results(1, {"alpha": 0}))
    with pytest.raises(SettlementError, match="is not a settler"):
        execute_plan(plan, outsider)
