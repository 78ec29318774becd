"""Where a transaction's gas went (nmr_pools.chain.gas_trace, the table of bench/gas.md): the
categories add up to what the receipt says, calls are counted without their callee's work."""

from __future__ import annotations

from nmr_pools.chain.gas_trace import CATEGORIES, categorize, gas_breakdown, intrinsic_gas
from nmr_pools.deployment import create_attested_pool, deploy_system
from tests.integration.helpers import NMR, model_key


def test_categorize__call_counted_without_its_callee():
    steps = [
        {"op": "EXTCODESIZE", "gas": 3_703, "gasCost": 2_600, "depth": 1},  # the cold target, checked
        {"op": "PUSH1", "gas": 1_100, "gasCost": 3, "depth": 1},
        {"op": "CALL", "gas": 1_097, "gasCost": 900, "depth": 1},  # gasCost includes the gas forwarded
        {"op": "SLOAD", "gas": 800, "gasCost": 2_100 - 2_000, "depth": 2},
        {"op": "SSTORE", "gas": 700, "gasCost": 22_100 - 22_000, "depth": 2},
        {"op": "STOP", "gas": 600, "gasCost": 0, "depth": 2},
        {"op": "LOG1", "gas": 590, "gasCost": 750, "depth": 1},
    ]
    totals = categorize(steps)
    # the callee spent 800 - 600 = 200; the call cost the caller 1,097 - 590 - 200
    assert totals["calls (cold accounts included)"] == 2_600 + 307
    assert totals["computation"] == 3
    assert totals["logs"] == 750
    assert sum(totals.values()) == 2_600 + 3 + 307 + 100 + 100 + 750


def test_intrinsic_gas__zero_and_nonzero_bytes():
    assert intrinsic_gas(b"") == 21_000
    assert intrinsic_gas(b"\x00\x01\x00") == 21_000 + 4 + 16 + 4


def test_gas_breakdown__first_deposit_on_anvil__adds_up_to_the_receipt(on_anvil, project, accounts):
    deployer, owner, alice = accounts[0], accounts[3], accounts[4]
    system = deploy_system(project, deployer)
    system.nmr.transfer(alice, 100 * NMR, sender=deployer)
    pool = create_attested_pool(
        project,
        system.factory,
        attester=deployer,
        owner=owner,
        model_id=model_key("alpha"),
        model_name="alpha",
        fee_bps=1_000,
    )
    system.nmr.approve(pool, 100 * NMR, sender=alice)
    receipt = pool.requestDeposit(10 * NMR, alice, alice, sender=alice)

    intrinsic = intrinsic_gas(bytes(receipt.transaction.data))
    totals = gas_breakdown(on_anvil, receipt.txn_hash, receipt.gas_used, intrinsic)

    assert set(totals) <= set(CATEGORIES)
    assert sum(totals.values()) == receipt.gas_used
    assert totals["base + calldata"] == intrinsic
    # the pool's first NMR, its first assets and alice's first request are fresh slots
    assert totals["storage: fresh slots"] >= 3 * 20_000
    assert totals["calls (cold accounts included)"] >= 2_600  # NMR's account, cold
    assert totals["logs"] > 0 and totals["computation"] > 0
