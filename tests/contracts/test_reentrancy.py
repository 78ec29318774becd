"""The shared reentrancy lock: a treasury that calls back into the pool it is paying is refused.

`settle` loads the pool's packed words, draws the gain from the treasury (an external call) and
stores them after it. A setting changed by a call made during that draw would be overwritten by
the stale copy, so the owner's and guardian's switches take the same lock as `settle`. The
project's treasury and mainnet NMR never call back; this treasury does, to prove the lock holds.
"""

import boa
import pytest

from nmr_pools.attestation import attest_with_key
from nmr_pools.deployment import DAY
from tests.contracts.conftest import ATTESTATION_LIFETIME, NMR, model
from tests.fuzz.world import actor_account

GUARDIAN = 4

REENTERING_TREASURY = """
# pragma version ~=0.4.3
# pays nothing; calls `target` with `data` first and records whether the call went through
# (the factory deploys it from its blueprint, with the PayoutTreasury's constructor)
target: public(address)
data: public(Bytes[4])
reentered: public(bool)
attempted: public(bool)

@deploy
def __init__(nmr_token: address, pool_factory: address):
    pass

@external
def aim(target: address, data: Bytes[4]):
    self.target = target
    self.data = data

@external
def pay(amount: uint256) -> uint256:
    if self.target != empty(address):
        self.attempted = True
        self.reentered = raw_call(self.target, self.data, revert_on_failure=False)
    return 0
"""


@pytest.fixture
def reentrant_setup(backend, deployer, alice, fund, next_round):
    """A factory whose pools draw gains from the re-entering treasury (a guardian, so the
    guardian's switches would pass their role check), and one lagging pool of 100 NMR."""
    nmr = backend.deploy("NMR")
    reentering = boa.loads_partial(REENTERING_TREASURY)
    factory = backend.deploy(
        "PoolFactory",
        nmr.address,
        str(reentering.deploy_as_blueprint().address),
        backend.declare("DelegationPool"),
        backend.declare("PoolExtension"),
        0,
        DAY,
    )
    treasury = reentering.at(factory.treasury())
    factory.grant_role(treasury.address, GUARDIAN, sender=deployer)
    attestation = attest_with_key(
        actor_account("deployer").key,
        chain_id=factory.eip712Domain()[3],
        factory=str(factory.address),
        model_id=model("loop"),
        model_name="loop",
        owner=deployer,
        deadline=boa.env.timestamp + ATTESTATION_LIFETIME,
    )
    factory.create_pool(
        model("loop"),
        "loop",
        1_000,
        attestation.attester,
        attestation.deadline,
        attestation.signature_bytes,
        sender=deployer,
    )
    address = factory.pool_of(model("loop"))
    core = backend.at("DelegationPool", address)
    extension = backend.at("PoolExtension", address)
    nmr.transfer(alice, 100 * NMR, sender=deployer)
    nmr.approve(address, 100 * NMR, sender=alice)
    core.requestDeposit(100 * NMR, alice, alice, sender=alice)
    next_round()
    return factory, treasury, core, extension


@pytest.mark.parametrize("function", ["wind_down", "pause", "emergency_exit"])
def test_settle__treasury_reenters_a_switch__refused(reentrant_setup, deployer, function):
    factory, treasury, core, extension = reentrant_setup
    treasury.aim(core.address, boa.eval(f'method_id("{function}()")'))
    round_id = extension.last_settled_round() + 1
    if function == "emergency_exit":
        # stalled, so the exit would open if the call were let in (a settlement still may come)
        boa.env.timestamp = factory.round_start(round_id + 1) + factory.stall_gap()
    factory.settle(core.address, round_id, 10**16, b"\0" * 32, sender=deployer)
    assert treasury.attempted() and not treasury.reentered()
    assert extension.wind_down_round() == 0 and not extension.paused() and extension.closure() == 0
    # the gain the treasury did not pay is owed, as for any short treasury
    assert extension.treasury_owed() == NMR and extension.last_settled_round() == round_id


def test_settle__treasury_calls_a_view__goes_through(reentrant_setup, deployer):
    # the harness does reach the pool: a view takes no lock
    factory, treasury, core, extension = reentrant_setup
    treasury.aim(core.address, boa.eval('method_id("totalAssets()")'))
    factory.settle(core.address, extension.last_settled_round() + 1, 10**16, b"\0" * 32, sender=deployer)
    assert treasury.attempted() and treasury.reentered()
