"""Batched reads (nmr_pools.chain): the Multicall aggregator and plain calls answer alike, at
one block, in fewer requests; failures name the call; the planner notes the slow fallback."""

from __future__ import annotations

import pytest

from nmr_pools.chain.batch_reads import MAX_CALLS_PER_REQUEST, MulticallReader, PlainReader, Read, ReadError
from nmr_pools.chain.pool_state import POOL_AT, read_registry, read_settlement_states
from nmr_pools.chain.views import View
from nmr_pools.settlement import plan_settlement
from tests.integration.helpers import NMR, model_key, round_results


@pytest.fixture
def aggregator(project, deployer):
    return deployer.deploy(project.Multicall)


@pytest.fixture
def three_pools(create_model_pool, fund, alice):
    pools = []
    for amount, name in ((100, "alpha"), (200, "beta"), (300, "gamma")):
        pool = create_model_pool(name)
        fund(alice, amount * NMR, pool)
        pool.requestDeposit(amount * NMR, alice, alice, sender=alice)
        pools.append(pool)
    return pools


def readers(chain, aggregator):
    web3, block = chain.provider.web3, int(chain.provider.web3.eth.block_number)
    return MulticallReader(web3, block, str(aggregator.address)), PlainReader(web3, block)


def test_readers__same_answers__multicall_in_few_requests(
    chain, factory, three_pools, aggregator, owner, settler, next_round
):
    three_pools[1].wind_down(sender=owner)  # round 1 is beta's last: settling it closes the pool
    three_pools[2].wind_down(sender=owner)  # gamma too, but round 1 stays unsettled: it still settles
    next_round()
    factory.settle_many([(three_pools[1].address, 1, 0, b"\x00" * 32)], sender=settler)
    batched, plain = readers(chain, aggregator)
    keys = [model_key(name) for name in ("alpha", "beta", "gamma", "nobody")]
    registry = read_registry(batched, str(factory.address), keys)
    assert registry == read_registry(plain, str(factory.address), keys)
    assert registry.pools == [str(pool.address) for pool in three_pools]
    assert registry.pool_of[model_key("nobody")] is None
    assert registry.current_round == factory.current_round() and registry.return_cap == factory.return_cap()
    assert batched.requests == 2 and plain.requests == 4 + 1 + 3 + 4

    states = read_settlement_states(batched, registry.pools)
    assert states == read_settlement_states(plain, registry.pools)
    assert [states[str(p.address)].total_assets for p in three_pools] == [100 * NMR, 200 * NMR, 300 * NMR]
    assert [states[str(p.address)].settles_rounds for p in three_pools] == [True, False, True]
    assert states[str(three_pools[1].address)].closed_because == "wound down"
    assert [states[str(p.address)].wind_down_round for p in three_pools] == [0, 1, 1]
    assert batched.requests == 3 and plain.requests == 12 + 15


def test_multicall__more_reads_than_one_request_takes__chunked_in_order(
    chain, factory, three_pools, aggregator
):
    batched, _ = readers(chain, aggregator)
    count = 2 * MAX_CALLS_PER_REQUEST + 10
    answers = batched.read([Read(str(factory.address), POOL_AT, (i % 4,)) for i in range(count)])
    expected = [str(p.address) for p in three_pools] + ["0x" + "00" * 20]
    assert answers == [expected[i % 4] for i in range(count)] and batched.requests == 3


def test_readers__pinned_block__do_not_see_later_blocks(chain, factory, three_pools, aggregator, next_round):
    batched, plain = readers(chain, aggregator)
    next_round(2)  # later blocks: the round moves on
    assert (
        batched.read_one(str(factory.address), View("current_round"))
        == plain.read_one(str(factory.address), View("current_round"))
        == factory.current_round() - 2
    )


def test_readers__revert_or_no_code__name_the_call(chain, three_pools, aggregator):
    pool = str(three_pools[0].address)
    for reader in readers(chain, aggregator):
        # a function neither half of the pool has: the extension's missing fallback reverts
        with pytest.raises(ReadError, match=rf"no_such_view\(1\) at {pool} reverted"):
            reader.read_one(pool, View("no_such_view", ("uint256",)), 1)
        with pytest.raises(ReadError, match="no contract at that address"):
            reader.read_one("0x" + "12" * 20, View("totalAssets"))


def test_multicall__wrong_address__says_fix_the_deployments_file(chain, factory, three_pools):
    web3 = chain.provider.web3
    reader = MulticallReader(web3, int(web3.eth.block_number), str(factory.address))  # not the aggregator
    with pytest.raises(ReadError, match="fix the deployments file's `multicall` address"):
        reader.read_one(str(three_pools[0].address), View("totalAssets"))


def test_plan__without_aggregator__notes_the_slow_path(factory, three_pools, aggregator, next_round):
    next_round()
    results = round_results(1, {"alpha": 10**16, "beta": 0, "gamma": -(10**16)})
    slow = plan_settlement(factory, results)
    fast = plan_settlement(factory, results, multicall=str(aggregator.address))
    assert [item.pool for item in slow.to_settle] == [item.pool for item in fast.to_settle]
    assert [item.active_assets for item in slow.to_settle] == [100 * NMR, 200 * NMR, 300 * NMR]
    assert any("no Multicall aggregator in the deployments file" in line for line in slow.notes())
    assert not any("Multicall" in line for line in fast.notes())
    assert fast.reads == 3 and slow.reads > 3 * 3
