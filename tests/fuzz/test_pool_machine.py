"""Differential fuzzing: DelegationPool on titanoboa against the Python reference model.

Every rule makes the same call on the model (`nmr_pools.model.PoolModel`) and on the chain
through `Driver.act`: a model revert must be the contract's revert, verbatim; otherwise the
contract must succeed and return what the model returns. After every step every storage
variable of the pool, the NMR token, the factory and the treasury is compared by name with
the model's (`nmr_pools.model.storage`), and the numbered invariants are checked. Every view
that computes something is compared through one lens call (`views.py`) every `VIEW_EVERY`
steps, at the start of every history and after a wind-down or an emergency exit. Each
assertion says which invariant or which variable failed.

Actors: delegators alice, bob, carol, dave and a contract wallet (`wallet`, a Safe-like
account whose signer forwards calls: `msg.sender` is not `tx.origin`), an operator candidate
erin, the pool owner, the settler, the guardian, the factory admin (deployer) and an outsider.

Every history starts from a pool with active assets at a price that is not 1
(`start_with_delegators`), and compound rules make the value paths that need such a pool
frequent: a deposit group converting in `settle` (`requests_while_lagging`) and a gain after a
loss, below or across the high-water mark (`loss_then_gain`). The test prints how many steps
and histories ran (`NMR_POOLS_PROFILE=ci|long|smoke`).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from typing import Any

import boa
import pytest
from hypothesis import event as note_event
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from nmr_pools.model import WAD, ModelRevert
from nmr_pools.model.factory import MAX_RETURN_CAP
from nmr_pools.model.fixed_point import BPS, MAX_MARK, mul_div, raised_mark
from nmr_pools.model.pool import DEPLETED, DEPOSIT_SIDE, MIN_PRICE, REDEEM_SIDE
from nmr_pools.model.storage import factory_storage, nmr_storage, pool_storage, treasury_storage
from tests.fuzz.chain import LAST, last_events
from tests.fuzz.driver import REVERTED
from tests.fuzz.fair_value import FairLedger
from tests.fuzz.fast_evm import reuse_event_tuple_types, run_on_roomy_stack, skip_fuzzer_unread_bookkeeping
from tests.fuzz.profiles import RUNS, fuzz_settings
from tests.fuzz.storage import StorageReader, differences
from tests.fuzz.views import ViewPlan, deploy_lens, read_chain, read_model, view_differences
from tests.fuzz.world import DELEGATORS, FEE_BPS, World, build_world

# compare every computed view through the lens at least this often (one lens read, ~120 view
# calls, costs as much as ~25 steps on py-evm; views are functions of the storage, which is
# compared every step, so a view that disagrees keeps disagreeing until it is read)
VIEW_EVERY = 50

skip_fuzzer_unread_bookkeeping()
reuse_event_tuple_types()

# a compound rule that first settles every closed round runs only while the pool is at most
# this many rounds behind (past the emergency exit's stall gap, up to 365 daily rounds, one
# step would settle hundreds of rounds): a bound on one step's work
MAX_CATCH_UP = 20

ZERO = "0x0000000000000000000000000000000000000000"
# everyone who can hold shares or claims (the pool's own address aside)
HOLDERS = ("alice", "bob", "carol", "dave", "wallet", "erin")
OPERATOR_CANDIDATES = ("erin", "alice", "bob", "carol", "dave", "wallet", "outsider")

delegators = st.sampled_from(DELEGATORS)
amount_kinds = st.sampled_from(("one", "few", "part", "part", "odd", "all", "all+1", "zero", "big"))
seeds = st.integers(min_value=0, max_value=2**64)


def pick_amount(kind: str, seed: int, available: int) -> int:
    """An amount of the given kind relative to what the actor has (1 wei, all, all + 1, …)."""
    return {
        "one": 1,
        "few": 1 + seed % 9,
        "part": max(1, available * (1 + seed % 1_000) // 1_000),  # 0.1% .. 100% of it
        "odd": 1 + seed % max(available, 1),
        "all": available,
        "all+1": available + 1,
        "zero": 0,
        "big": (1 + seed % 5_000) * 10**18,
    }[kind]


class _Shared:
    """The world every history starts from (built by the `fuzz_world` fixture)."""

    world: World | None = None
    readers: dict[str, StorageReader] = {}
    lens: Any = None
    plan: ViewPlan | None = None


@pytest.fixture(scope="module")
def fuzz_world() -> Iterator[_Shared]:
    """Deploy once per module, outside any history; every history rolls back to this state."""
    with boa.env.anchor():
        world = build_world()
        _Shared.world = world
        _Shared.readers = {
            "pool": StorageReader(world.pool),
            "nmr": StorageReader(world.system.nmr),
            "factory": StorageReader(world.system.factory),
            "treasury": StorageReader(world.system.treasury),
        }
        _Shared.lens = deploy_lens(world.addr["deployer"])
        names = {n: a for n, a in world.addr.items() if n not in ("pool", "wallet-signer")}
        _Shared.plan = ViewPlan(names, list(DELEGATORS))
        yield _Shared
        _Shared.world = None


class PoolMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        env = _Shared
        assert env.world is not None and env.plan is not None, "the fuzz_world fixture builds the world first"
        self.world = env.world
        self.readers = env.readers
        self.lens = env.lens
        self.plan = env.plan
        # every history starts from the world's state: chain snapshot, model copy
        self._anchor = boa.env.anchor()
        self._anchor.__enter__()
        self._traces = {address: set(slots) for address, slots in boa.env.sstore_trace.items()}
        for reader in self.readers.values():
            reader.forget()  # the chain rolled back to the anchor without an SSTORE
        self._start_ts = boa.env.timestamp
        self.model = copy.deepcopy(self.world.model)
        self.factory_model = self.model.factory
        self.driver = self.world.driver
        self.driver.clock = self.model.clock
        self.pool = self.world.pool
        self.factory = self.world.system.factory
        self.nmr = self.world.system.nmr
        self.treasury = self.world.system.treasury
        self.addr = self.world.addr
        # ghosts
        self.donated = 0
        self.prev_price = self.model.price_per_share()
        self.prev_hwm = self.model.high_water_mark
        self.prev_assets_supply = (self.model.total_assets, self.model.share_supply())
        self.settled_in_step = False
        self.views_due = True
        self.views_compared_at = 0
        self.fee_proposal: tuple[int, int] | None = None  # (round proposed, delay)
        self.fair = FairLedger()
        self.steps = 0
        RUNS.histories += 1

    def teardown(self) -> None:
        self._anchor.__exit__(None, None, None)
        boa.env.timestamp = self._start_ts
        # forget the slots this history wrote: the storage reader walks every traced slot
        boa.env.sstore_trace.clear()
        boa.env.sstore_trace.update(self._traces)

    # ---- plumbing ----

    def act(
        self, model_call: Any, actor: str, contract: Any, method: str, *args: Any, returns: bool = True
    ) -> Any:
        before = self.fair_before(method, actor, args) if contract is self.pool else None
        result = self.driver.act(model_call, actor, contract, method, *args, returns=returns)
        if result is not REVERTED and before is not None:
            self.fair_after(method, actor, args, result, before)
        return result

    # ---- fair value (invariant 16): the ideal ledger follows every value-moving call ----

    def fair_before(self, method: str, actor: str, args: tuple[Any, ...]) -> dict[str, Any] | None:
        """What a value-moving call's ideal bookkeeping needs from the state before it."""
        m = self.model
        if method in ("requestDeposit", "requestRedeem"):
            owner = args[2]
            group = m.current_round() if method == "requestDeposit" else m.redeem_group_now()
            side = DEPOSIT_SIDE if method == "requestDeposit" else REDEEM_SIDE
            converted_now = m.is_converted(group, side) or (side == REDEEM_SIDE and m.is_closed)
            return {"owner_shares": m.balance_of(owner), "converted_now": converted_now}
        if method in ("deposit", "mint"):
            return {"claimable": m.max_mint(args[2])}
        if method in ("redeem", "withdraw"):
            return {"claimable": m.max_withdraw(args[2])}
        if method == "transfer":
            return {"sender_shares": m.balance_of(self.a(actor))}
        if method == "transferFrom":
            return {"sender_shares": m.balance_of(args[0])}
        if method == "collect_owed":
            return {"assets": m.total_assets, "fee_bps": min(m.fee_bps, self.factory_model.fee_cap_bps)}
        if method in ("cancelDepositRequest", "cancelRedeemRequest"):
            return {}
        return None

    def fair_after(
        self, method: str, actor: str, args: tuple[Any, ...], result: Any, before: dict[str, Any]
    ) -> None:
        fair, m = self.fair, self.model
        if method == "requestDeposit":
            fair.deposit_requested(args[1], result, args[0], before["converted_now"])
        elif method == "requestRedeem":
            fair.redeem_requested(
                args[2],
                before["owner_shares"],
                args[1],
                args[0],
                result,
                before["converted_now"],
                m.last_settled_round,
                m.closure,
            )
        elif method == "cancelDepositRequest":
            fair.deposit_cancelled(args[1], args[0], result)
        elif method == "cancelRedeemRequest":
            fair.redeem_cancelled(args[1], args[0], args[2])
        elif method in ("deposit", "mint"):
            shares = result if method == "deposit" else args[0]
            fair.deposit_claimed(args[2], before["claimable"], args[1], shares)
        elif method in ("redeem", "withdraw"):
            assets = result if method == "redeem" else args[0]
            fair.redemption_claimed(args[2], before["claimable"], assets)
        elif method == "transfer":
            fair.shares_moved(self.a(actor), before["sender_shares"], args[0], args[1])
        elif method == "transferFrom":
            fair.shares_moved(args[0], before["sender_shares"], args[1], args[2])
        elif method == "collect_owed":
            fair.gain(result, before["assets"], before["fee_bps"])

    def a(self, name: str) -> str:
        return self.addr[name]

    def other(self, name: str, seed: int) -> str:
        others = [d for d in DELEGATORS if d != name]
        return others[seed % len(others)]

    def sender_for(self, name: str, via: str, seed: int) -> str:
        """The caller acting for `name`: itself, one of its operators (if any), or someone else."""
        if via == "self":
            return name
        if via == "operator":
            operators = [
                o
                for o in OPERATOR_CANDIDATES
                if o != name and self.model.is_operator(self.a(name), self.a(o))
            ]
            return operators[seed % len(operators)] if operators else "erin"
        return "outsider"

    def cap(self) -> int:
        return min(self.factory_model.return_cap, MAX_RETURN_CAP)

    # ---- a pool with delegators at a price that is not 1 ----

    @initialize(
        first=st.lists(delegators, min_size=1, max_size=4, unique=True),
        late=st.lists(delegators, min_size=1, max_size=2, unique=True),
        kind=st.sampled_from(("max", "min", "random", "near-max", "one", "-one")),
        seed=seeds,
    )
    def start_with_delegators(self, first: list[str], late: list[str], kind: str, seed: int) -> None:
        """Every history starts from a pool with active assets: `first` deposit in the open
        round (they convert at 1:1 when the round before is settled), then `late` deposit in
        the next round before the pool settles the first, so their group converts in `settle`
        at the price that settlement sets (the rounding of `_convert_groups`)."""
        for i, name in enumerate(first):
            self.request_deposit(name, "self", False, "part", seed + i)
        self.settle("settler", "zero", seed)
        self.advance_time("next-round", 1)
        for i, name in enumerate(late):
            self.request_deposit(name, "self", False, "part", seed >> (8 + i))
        self.settle("settler", kind, seed)

    # ---- operators, share transfers and permits ----

    @rule(controller=delegators, operator=st.sampled_from(OPERATOR_CANDIDATES), approved=st.booleans())
    def set_operator(self, controller: str, operator: str, approved: bool) -> None:
        self.act(
            lambda: self.model.set_operator(self.a(controller), self.a(operator), approved),
            controller,
            self.pool,
            "setOperator",
            self.a(operator),
            approved,
        )

    @rule(owner=delegators, to=st.sampled_from(DELEGATORS + ("erin", "pool")), kind=amount_kinds, seed=seeds)
    def transfer_shares(self, owner: str, to: str, kind: str, seed: int) -> None:
        amount = pick_amount(kind, seed, self.model.balance_of(self.a(owner)))
        self.act(
            lambda: self.model.transfer(self.a(owner), self.a(to), amount),
            owner,
            self.pool,
            "transfer",
            self.a(to),
            amount,
        )

    @rule(owner=delegators, spender=st.sampled_from(OPERATOR_CANDIDATES), kind=amount_kinds, seed=seeds)
    def approve_shares(self, owner: str, spender: str, kind: str, seed: int) -> None:
        amount = pick_amount(kind, seed, self.model.balance_of(self.a(owner)))
        self.act(
            lambda: self.model.approve(self.a(owner), self.a(spender), amount),
            owner,
            self.pool,
            "approve",
            self.a(spender),
            amount,
        )

    @rule(
        spender=st.sampled_from(OPERATOR_CANDIDATES),
        owner=delegators,
        to=st.sampled_from(DELEGATORS + ("erin",)),
        kind=amount_kinds,
        seed=seeds,
    )
    def transfer_shares_from(self, spender: str, owner: str, to: str, kind: str, seed: int) -> None:
        amount = pick_amount(kind, seed, self.model.shares.allowance(self.a(owner), self.a(spender)))
        amount = min(amount, self.model.balance_of(self.a(owner)) + (kind == "all+1"))
        self.act(
            lambda: self.model.transfer_from(self.a(spender), self.a(owner), self.a(to), amount),
            spender,
            self.pool,
            "transferFrom",
            self.a(owner),
            self.a(to),
            amount,
        )

    # ---- requests ----

    @rule(
        owner=delegators,
        via=st.sampled_from(("self", "self", "operator", "stranger")),
        to_other=st.booleans(),
        kind=amount_kinds,
        seed=seeds,
    )
    def request_deposit(self, owner: str, via: str, to_other: bool, kind: str, seed: int) -> None:
        sender = self.sender_for(owner, via, seed)
        controller = self.other(owner, seed) if to_other else owner
        assets = pick_amount(kind, seed, self.model.nmr.balance_of(self.a(owner)))
        request_id = self.act(
            lambda: self.model.request_deposit(self.a(sender), assets, self.a(controller), self.a(owner)),
            sender,
            self.pool,
            "requestDeposit",
            assets,
            self.a(controller),
            self.a(owner),
        )
        if request_id is not REVERTED:
            self.check_request_timing(request_id, redeem=False)

    @rule(
        owner=delegators,
        via=st.sampled_from(("self", "self", "operator", "spender")),
        to_other=st.booleans(),
        kind=amount_kinds,
        seed=seeds,
    )
    def request_redeem(self, owner: str, via: str, to_other: bool, kind: str, seed: int) -> None:
        sender = self.sender_for(owner, "operator" if via == "operator" else "self", seed)
        if via == "spender":
            sender = OPERATOR_CANDIDATES[seed % len(OPERATOR_CANDIDATES)]
        controller = self.other(owner, seed) if to_other else owner
        shares = pick_amount(kind, seed, self.model.balance_of(self.a(owner)))
        request_id = self.act(
            lambda: self.model.request_redeem(self.a(sender), shares, self.a(controller), self.a(owner)),
            sender,
            self.pool,
            "requestRedeem",
            shares,
            self.a(controller),
            self.a(owner),
        )
        if request_id is not REVERTED:
            self.check_request_timing(request_id, redeem=True)

    def check_request_timing(self, request_id: int, redeem: bool) -> None:
        """Invariant 5: a request joins the group of the round open now, and converts at once
        only when nothing it must not share in is left (for deposits: exactly after round - 1)."""
        expected_id = self.model.redeem_group_now() if redeem else self.model.current_round()
        assert request_id == expected_id, "inv 5: request id is not the group of the round open now"
        side = REDEEM_SIDE if redeem else DEPOSIT_SIDE
        if not self.model.is_converted(request_id, side):
            return
        if redeem:
            assert self.model.last_settled_round <= request_id - 1 or self.model.is_closed, (
                "inv 5: a redemption shared in a round opened after its request"
            )
        else:
            assert self.model.last_settled_round == request_id - 1, (
                "inv 5: a deposit converted at a price that missed or included the wrong rounds"
            )

    @rule(
        controller=delegators,
        which=st.sampled_from(("current", "oldest", "newest", "middle", "any")),
        via=st.sampled_from(("self", "operator", "stranger")),
        redeem=st.booleans(),
        seed=seeds,
    )
    def cancel_request(self, controller: str, which: str, via: str, redeem: bool, seed: int) -> None:
        pending = self.model.pending_requests(self.a(controller), redeem)
        rounds = [r for r, _ in pending] or [self.model.current_round()]
        request_id = {
            "current": self.model.current_round(),
            "oldest": rounds[0],
            "newest": rounds[-1],
            "middle": rounds[len(rounds) // 2],
            "any": max(rounds[seed % len(rounds)] + (seed % 3) - 1, 0),
        }[which]
        sender = self.sender_for(controller, via, seed)
        receiver = self.a(DELEGATORS[seed % len(DELEGATORS)])
        if redeem:
            self.act(
                lambda: self.model.cancel_redeem_request(
                    self.a(sender), request_id, self.a(controller), receiver
                ),
                sender,
                self.pool,
                "cancelRedeemRequest",
                request_id,
                self.a(controller),
                receiver,
            )
        else:
            self.act(
                lambda: self.model.cancel_deposit_request(
                    self.a(sender), request_id, self.a(controller), receiver
                ),
                sender,
                self.pool,
                "cancelDepositRequest",
                request_id,
                self.a(controller),
                receiver,
            )

    # ---- claims ----

    @rule(
        controller=delegators,
        style=st.sampled_from(("deposit", "mint")),
        kind=amount_kinds,
        seed=seeds,
        via=st.sampled_from(("self", "self", "operator", "stranger")),
        to_other=st.booleans(),
    )
    def claim_deposit(
        self, controller: str, style: str, kind: str, seed: int, via: str, to_other: bool
    ) -> None:
        sender = self.sender_for(controller, via, seed)
        receiver = self.a(self.other(controller, seed) if to_other else controller)
        c = self.a(controller)
        if style == "deposit":
            assets = pick_amount(kind, seed, self.model.max_deposit(c))
            self.act(
                lambda: self.model.deposit(self.a(sender), assets, receiver, c),
                sender,
                self.pool,
                "deposit",
                assets,
                receiver,
                c,
            )
        else:
            shares = pick_amount(kind, seed, self.model.max_mint(c))
            self.act(
                lambda: self.model.mint(self.a(sender), shares, receiver, c),
                sender,
                self.pool,
                "mint",
                shares,
                receiver,
                c,
            )

    @rule(
        controller=delegators,
        style=st.sampled_from(("redeem", "withdraw")),
        kind=amount_kinds,
        seed=seeds,
        via=st.sampled_from(("self", "self", "operator", "stranger")),
        to_other=st.booleans(),
    )
    def claim_redemption(
        self, controller: str, style: str, kind: str, seed: int, via: str, to_other: bool
    ) -> None:
        sender = self.sender_for(controller, via, seed)
        receiver = self.a(self.other(controller, seed) if to_other else controller)
        c = self.a(controller)
        if style == "redeem":
            shares = pick_amount(kind, seed, self.model.max_redeem(c))
            self.act(
                lambda: self.model.redeem(self.a(sender), shares, receiver, c),
                sender,
                self.pool,
                "redeem",
                shares,
                receiver,
                c,
            )
        else:
            assets = pick_amount(kind, seed, self.model.max_withdraw(c))
            self.act(
                lambda: self.model.withdraw(self.a(sender), assets, receiver, c),
                sender,
                self.pool,
                "withdraw",
                assets,
                receiver,
                c,
            )

    @rule(
        thief=st.sampled_from(("outsider", "erin", "bob", "wallet")),
        victim=delegators,
        style=st.sampled_from(("deposit", "mint", "redeem", "withdraw")),
        over=st.booleans(),
    )
    def claim_too_much(self, thief: str, victim: str, style: str, over: bool) -> None:
        """Invariant 3: nobody claims more than owed, nor someone else's claim."""
        v = self.a(victim)
        owed = {
            "deposit": self.model.max_deposit(v),
            "mint": self.model.max_mint(v),
            "redeem": self.model.max_redeem(v),
            "withdraw": self.model.max_withdraw(v),
        }[style]
        caller = victim if over else thief
        if not over and (caller == victim or self.model.is_operator(v, self.a(caller))):
            return
        amount = owed + 1 if over else max(owed, 1)
        expected = "pool: more than claimable" if over else "pool: not controller or operator"
        model_call = {
            "deposit": self.model.deposit,
            "mint": self.model.mint,
            "redeem": self.model.redeem,
            "withdraw": self.model.withdraw,
        }[style]
        try:
            model_call(self.a(caller), amount, self.a(caller), v)
            raise AssertionError("inv 3: the model let a claim through that must fail")
        except ModelRevert as err:
            assert err.message == expected, (
                f"inv 3: model reverted with {err.message!r}, expected {expected!r}"
            )
        self.driver.expect_revert(expected, caller, self.pool, style, amount, self.a(caller), v)

    # ---- settlement ----

    @precondition(lambda self: not self.model.is_closed and self.model.total_assets > 0)
    @rule(
        loss=st.integers(min_value=1, max_value=MAX_RETURN_CAP),
        gain=st.sampled_from(("max", "near-max", "random", "one")),
        seed=seeds,
    )
    def loss_then_gain(self, loss: int, gain: str, seed: int) -> None:
        """Invariant 6 where it bites: a gain after a loss, ending below or above the high-water
        mark, pays the fee only on the part above the mark."""
        cap = self.cap()
        self.advance_time("next-round", 1)
        self.settle_and_check("settler", self.model.last_settled_round + 1, -min(loss, cap), seed)
        self.advance_time("next-round", 1)
        round_return = {"max": cap, "near-max": cap - seed % 1_000, "random": seed % (cap + 1), "one": 1}[
            gain
        ]
        self.settle_and_check("settler", self.model.last_settled_round + 1, max(round_return, 0), seed)

    @precondition(lambda self: not self.model.is_closed)
    @rule(
        depositor=delegators,
        redeemer=delegators,
        cancel=st.sampled_from(("none", "none", "stranger", "self")),
        kind=st.sampled_from(("max", "min", "random", "near-max")),
        seed=seeds,
    )
    def requests_while_lagging(
        self, depositor: str, redeemer: str, cancel: str, kind: str, seed: int
    ) -> None:
        """Invariant 5 on the settlement path: requests made while the round before is unsettled
        wait in their group (only their controller may cancel them) and convert together at
        the price the settlement sets."""
        if self.model.is_converted(self.model.current_round(), DEPOSIT_SIDE):
            self.advance_time("next-round", 1)
        self.request_deposit(depositor, "self", False, "part", seed)
        self.request_redeem(redeemer, "self", False, "part", seed // 3)
        if cancel != "none":
            self.cancel_request(depositor, "current", cancel, False, seed)
        self.settle("settler", kind, seed)

    @precondition(lambda self: not self.model.is_closed and self.model.wind_down_round == 0)
    @rule(
        actor=delegators,
        rounds=st.integers(min_value=3, max_value=6),
        redeem=st.booleans(),
        ending=st.sampled_from(("settle-one-by-one", "settle-one-by-one", "stall-then-cancel")),
        seed=seeds,
    )
    def standing_orders(self, actor: str, rounds: int, redeem: bool, ending: str, seed: int) -> None:
        """A delegator who requests every round while results lag: its queues grow past the
        entries their headers hold. Then either the results arrive one round at a time and it
        claims part after each (each claim takes the converted front of a queue and keeps the
        rest), or the settler stalls, the pool is closed by its emergency exit, and it cancels
        requests from the middle of its queues (older entries become empty markers)."""
        if self.model.is_converted(self.model.current_round(), DEPOSIT_SIDE):
            self.advance_time("next-round", 1)
        for i in range(rounds):
            if i:
                self.advance_time("next-round", 1)
            self.request_deposit(actor, "self", False, "part", seed + i)
            if redeem:
                self.request_redeem(actor, "self", False, "part", seed + 7 * i)
        if ending == "stall-then-cancel":
            self.advance_time("stall", 1)
            self.emergency_exit("outsider")
            for k in range(2):
                self.cancel_request(actor, "middle", "self", False, seed + k)
                self.cancel_request(actor, "middle", "self", True, seed + k)
            RUNS.paths["standing orders: cancelled from the middle"] += 1
            return
        for i in range(rounds + 1):
            if self.model.is_closed:
                break
            self.settle("settler", "random", seed + i)
            self.claim_deposit(actor, ("deposit", "mint")[i % 2], "part", seed + i, "self", False)
            self.claim_redemption(actor, ("redeem", "withdraw")[i % 2], "part", seed + i, "self", False)
        RUNS.paths["standing orders: converted one round at a time"] += 1
        # part of the claims is left: a request made and taken back in its round empties the
        # queue again, and the header must drop the flag that said the claimable pair is not zero
        if not self.model.is_closed:
            self.advance_time("next-round", 1)
            self.request_deposit(actor, "self", False, "part", seed)
            self.cancel_request(actor, "current", "self", False, seed)
            if redeem:
                self.request_redeem(actor, "self", False, "part", seed)
                self.cancel_request(actor, "current", "self", True, seed)

    @precondition(lambda self: not self.model.is_closed and self.model.wind_down_round == 0)
    @rule(
        kind=st.sampled_from(("max", "random", "near-max", "min")),
        cap=st.sampled_from(("keep", "keep", "lower", "zero")),
        seed=seeds,
    )
    def fee_increase_applies(self, kind: str, cap: str, seed: int) -> None:
        """Invariant 12 where it bites: the owner raises the fee (and the admin may lower the
        fee cap meanwhile), then the rounds up to and past its effective round are settled; the
        increase applies from that round on exactly, never above the cap in force (the storage
        comparison sees it stored). A fee is charged only on a paid gain above the high-water
        mark, which random returns against a small treasury rarely reach: the treasury is
        refilled first (what it owes the pool, and the gains to come), and gains follow until
        the mark is crossed (at most 12 rounds)."""
        m = self.model
        # what the treasury owes this pool, and enough for the gains of the rounds below
        self.fund_treasury(m.treasury_owed + m.total_assets + 10**18)
        self.set_fee("owner", "higher", seed)
        if cap != "keep":
            self.set_fee_cap(cap, seed)
        for i in range(self.factory_model.fee_delay_rounds + 2):
            if self.model.is_closed:
                break
            self.advance_time("next-round", 1)
            self.settle("settler", kind, seed + i)
        for i in range(12):
            if self.model.is_closed:
                break
            mark = self.model.high_water_mark
            self.advance_time("next-round", 1)
            self.settle("settler", "max", seed + i)
            if self.model.high_water_mark > mark:
                RUNS.paths["fee increase: gain above the mark"] += 1
                break

    @rule(
        via=st.sampled_from(("settler", "settler", "batch", "deployer")),
        kind=st.sampled_from(("zero", "max", "min", "one", "-one", "random", "random", "near-max")),
        seed=seeds,
    )
    def settle(self, via: str, kind: str, seed: int) -> None:
        cap = self.cap()
        round_return = {
            "zero": 0,
            "max": cap,
            "min": -cap,
            "one": 1,
            "-one": -1,
            "random": (seed % (2 * cap + 1)) - cap,
            "near-max": cap - seed % 1_000,
        }[kind]
        self.settle_and_check(via, self.model.last_settled_round + 1, round_return, seed)

    @rule(kind=st.sampled_from(("max", "min", "random", "random", "near-max")), seed=seeds)
    def next_round_and_settle(self, kind: str, seed: int) -> None:
        """The common path, made frequent: a round closes and its result is settled."""
        self.advance_time("next-round", 1)
        self.settle("settler", kind, seed)

    def settle_and_check(self, via: str, round_id: int, round_return: int, seed: int) -> Any:
        assets0, supply0, hwm0 = (
            self.model.total_assets,
            self.model.share_supply(),
            self.model.high_water_mark,
        )
        fee_bps_before, pending_round, pending_bps = (
            self.model.fee_bps,
            self.model.pending_fee_round,
            self.model.pending_fee_bps,
        )
        digest = seed.to_bytes(32, "big")
        factory_model, pool = self.factory_model, self.pool.address
        if via == "batch":  # the batch path: one report in settle_many, by the deployer (a settler)
            outcome = self.act(
                lambda: factory_model.settle(self.a("deployer"), self.model, round_id, round_return, digest),
                "deployer",
                self.factory,
                "settle_many",
                [(pool, round_id, round_return, digest)],
                returns=False,
            )
        elif via == "direct":  # around the factory: only the factory may settle a pool
            outcome = self.act(
                lambda: self.model.settle(self.a("settler"), round_id, round_return, digest),
                "settler",
                self.pool,
                "settle",
                round_id,
                round_return,
                digest,
                MAX_RETURN_CAP,
                10_000,
                returns=False,
            )
        else:
            outcome = self.act(
                lambda: factory_model.settle(self.a(via), self.model, round_id, round_return, digest),
                via,
                self.factory,
                "settle",
                pool,
                round_id,
                round_return,
                digest,
                returns=False,
            )
        if outcome is REVERTED:
            # liveness: a settler's settlement of an open pool's next closed round, within the
            # cap, is never refused (a pool emptied of shares whose owed gains were then
            # collected priced a share beyond the mark's field, and every later one was refused)
            m = self.model
            due = (
                via in ("settler", "deployer", "batch")
                and not m.is_closed
                and round_id == m.last_settled_round + 1
                and round_id < m.current_round()
                and abs(round_return) <= self.cap()
            )
            assert not due, (
                f"liveness: settling round {round_id} of an open pool was refused ({self.driver.last_revert})"
            )
            return outcome
        self.settled_in_step = True
        (event,) = last_events(self.pool, "Settled")
        # what the treasury owed from earlier rounds is credited first (and may lift the mark)
        for collected in last_events(self.pool, "OwedCollected"):
            self.fair.gain(collected.amount, assets0, outcome.fee_bps)
            assets0 += collected.amount - collected.fee
            hwm0 = raised_mark(hwm0, (assets0 + 1) * WAD // (supply0 + 1))
        if round_return > 0:
            self.fair.gain(event.paid, assets0, outcome.fee_bps)
        else:
            self.fair.loss(round_return)
        self.fair.settled(round_id, deposits_converted=self.model.closure != DEPLETED)
        if event.unpaid:
            RUNS.paths["treasury shortfall"] += 1
        if event.fee and self.model.fee_bps > outcome.fee_bps:
            RUNS.paths["fee charged at a cap lowered below the fee"] += 1
        if self.model.is_closed:
            RUNS.paths[
                {1: "closed: wound down", 4: "closed: depleted"}.get(self.model.closure, "closed")
            ] += 1
        got = (
            event.paid,
            event.unpaid,
            event.burned,
            event.fee,
            event.total_assets,
            event.price_per_share,
            event.high_water_mark,
        )
        want = (
            outcome.paid,
            outcome.unpaid,
            outcome.burned,
            outcome.fee,
            outcome.total_assets,
            outcome.price_per_share,
            outcome.high_water_mark,
        )
        # inv 4: the price moves by the settled return only (fee aside), computed from scratch here
        if round_return >= 0:
            assert event.paid + event.unpaid == assets0 * round_return // WAD and event.burned == 0, (
                "inv 4: paid + owed is not floor(A * r)"
            )
            assert event.total_assets == assets0 + event.paid - event.fee, (
                "inv 4: assets moved by more than what was paid - fee"
            )
        else:
            assert event.burned == -(-assets0 * -round_return // WAD) and event.paid == 0, (
                "inv 4: burned is not ceil(A * |r|)"
            )
            assert event.total_assets == assets0 - event.burned and event.fee == 0, (
                "inv 4: a loss changed more than the burn"
            )
        assert event.price_per_share == (event.total_assets + 1) * WAD // (supply0 + 1), (
            "inv 4: settled price is not (A' + 1) / (S + 1)"
        )
        # inv 6: fees only above the high-water mark, which never falls; never above the cap in force
        fee_bps = pending_bps if pending_round and round_id >= pending_round else fee_bps_before
        fee_bps = min(fee_bps, self.factory_model.fee_cap_bps)
        price_before_fee = (assets0 + event.paid + 1) * WAD // (supply0 + 1)
        if event.fee > 0:
            assert round_return > 0, "inv 6: fee charged on a round without a gain"
            assert price_before_fee >= hwm0, "inv 6: fee charged below the high-water mark"
            assert event.price_per_share >= hwm0, "inv 6: the fee pushed the price below the high-water mark"
            assert event.fee <= event.paid * fee_bps // BPS, "inv 6: fee above the fee (capped) of the gain"
            hwm_assets = mul_div(hwm0, supply0 + 1, WAD, True) - 1
            assert event.fee == (assets0 + event.paid - max(assets0, hwm_assets)) * fee_bps // BPS, (
                "inv 6: fee not on the gain above the mark"
            )
        assert event.high_water_mark >= hwm0, "inv 6: high-water mark decreased"
        # then everything else the model says (after the invariants, which name what broke)
        assert got == want, f"Settled event {got} != model {want}"
        # inv 12: a raised fee applies only to rounds a delegator could leave before
        if outcome.fee_bps > fee_bps_before:
            assert self.fee_proposal is not None, "inv 12: fee rose without a proposal"
            proposed_in, delay = self.fee_proposal
            assert delay >= 1 and round_id >= proposed_in + delay, (
                "inv 12: fee increase applied before its delay"
            )
            # a redemption requested in the proposal round converted at settle(proposed_in - 1), before this round
            assert round_id > proposed_in - 1, (
                "inv 12: fee increase hit a round an exiting delegator still bore"
            )
        if assets0 > 0 and round_return != 0:  # coverage of the paths that need active assets (statistics)
            below = assets0 < mul_div(hwm0, supply0 + 1, WAD, True) - 1
            note_event(
                f"settled a {'gain' if round_return > 0 else 'loss'} {'below' if below else 'at or above'} the mark"
            )
        # inv 5: the groups of round + 1 convert in this settlement, deposits first, at the price
        # just settled (computed from scratch: shares = floor(D * (S + 1) / (A' + 1)), then
        # redemptions at the price after the deposits joined)
        assets, supply = event.total_assets, supply0
        if event.deposit_assets:
            assert event.deposit_shares == event.deposit_assets * (supply + 1) // (assets + 1), (
                "inv 5: a deposit group converted at another price than the one just settled"
            )
            if event.deposit_assets * (supply + 1) % (assets + 1):
                note_event("a deposit group converted with rounding")
            assets, supply = assets + event.deposit_assets, supply + event.deposit_shares
        if event.redeem_shares:
            assert event.redeem_assets == event.redeem_shares * (assets + 1) // (supply + 1), (
                "inv 5: a redeem group converted at another price than the one just settled"
            )
        group = round_id + 1
        assert (event.deposit_assets, event.redeem_shares) == (
            self.model.deposit_group_assets.get(group, 0) if self.model.closure != DEPLETED else 0,
            self.model.redeem_group_shares.get(group, 0),
        ), "inv 5: the groups converted are not those of the round after the settled one"
        return outcome

    @rule(
        kind=st.sampled_from(
            ("above-cap", "below-cap", "skip", "duplicate", "stale", "open", "not-settler", "direct")
        ),
        seed=seeds,
    )
    def settle_invalid(self, kind: str, seed: int) -> None:
        """Invariant 7: out-of-cap, out-of-order, duplicate and open-round settlements revert,
        changing nothing (the storage comparison after the step proves the last part)."""
        cap = self.cap()
        nxt = self.model.last_settled_round + 1
        round_id, round_return, via = nxt, 0, "settler"
        if kind == "above-cap":
            round_return = cap + 1 + seed % 10**17
        elif kind == "below-cap":
            round_return = -(cap + 1 + seed % 10**17)
        elif kind == "skip":
            round_id = nxt + 1 + seed % 3
        elif kind == "duplicate":
            round_id = nxt - 1
        elif kind == "stale":
            round_id = max(nxt - 2 - seed % 5, 0)
        elif kind == "open":
            round_id = max(self.model.current_round(), nxt)
        elif kind == "direct":
            via = "direct"
        else:
            via = ("outsider", "owner", "guardian", "alice", "wallet")[seed % 5]
        outcome = self.settle_and_check(via, round_id, round_return, seed)
        assert outcome is REVERTED, f"inv 7: invalid settlement ({kind}) was accepted"

    # ---- time ----

    @rule(
        kind=st.sampled_from(("hours", "next-round", "next-round", "rounds", "stall")),
        n=st.integers(min_value=1, max_value=4),
    )
    def advance_time(self, kind: str, n: int) -> None:
        schedule = self.factory_model.schedule
        now = boa.env.timestamp
        current = schedule.round_at(now)
        if kind == "hours":
            target = now + n * 3_600
        elif kind == "next-round":
            target = schedule.round_start(current + 1) + 60
        elif kind == "rounds":
            target = schedule.round_start(current + 1 + n) + 60
        else:  # just past the moment the emergency exit opens
            target = (
                schedule.round_start(self.model.last_settled_round + 2) + self.factory_model.stall_gap + n - 1
            )
        boa.env.timestamp = max(target, now + 1)
        self.model.clock.timestamp = boa.env.timestamp

    # ---- owner, fees, limits ----

    @rule(
        sender=st.sampled_from(("owner", "owner", "outsider")),
        kind=st.sampled_from(("zero", "lower", "higher", "higher", "cap", "above-cap")),
        seed=seeds,
    )
    def set_fee(self, sender: str, kind: str, seed: int) -> None:
        sender = self.owner_name() if sender == "owner" else sender
        current, cap = self.model.fee_bps, self.factory_model.fee_cap_bps
        fee = {
            "zero": 0,
            "lower": seed % (current + 1),
            "higher": min(current + 1 + seed % 1_000, cap),
            "cap": cap,
            "above-cap": cap + 1,
        }[kind]
        effective = self.act(
            lambda: self.model.set_fee(self.a(sender), fee), sender, self.pool, "set_fee", fee, returns=False
        )
        if effective not in (REVERTED, 0):
            self.fee_proposal = (self.model.current_round(), self.factory_model.fee_delay_rounds)
            assert effective > self.model.current_round(), "inv 12: fee increase scheduled for the open round"

    def owner_name(self) -> str:
        """The name of the pool's current owner (ownership can move to carol or the wallet)."""
        by_address = {address: name for name, address in self.addr.items()}
        return by_address[self.model.owner]

    @rule(
        sender=st.sampled_from(("owner", "owner", "outsider")), receiver=st.sampled_from(("owner", "carol"))
    )
    def claim_fees(self, sender: str, receiver: str) -> None:
        sender = self.owner_name() if sender == "owner" else sender
        self.act(
            lambda: self.model.claim_fees(self.a(sender), self.a(receiver)),
            sender,
            self.pool,
            "claim_fees",
            self.a(receiver),
        )

    @rule(
        sender=st.sampled_from(("owner", "owner", "outsider")),
        kind=st.sampled_from(("unlimited", "room", "tight", "zero")),
        seed=seeds,
    )
    def set_deposit_limit(self, sender: str, kind: str, seed: int) -> None:
        sender = self.owner_name() if sender == "owner" else sender
        used = self.model.total_assets + self.model.pending_deposit_assets
        limit = {"unlimited": 2**256 - 1, "room": used + seed % 10**21, "tight": used + seed % 10, "zero": 0}[
            kind
        ]
        self.act(
            lambda: self.model.set_deposit_limit(self.a(sender), limit),
            sender,
            self.pool,
            "set_deposit_limit",
            limit,
        )

    @rule(
        sender=st.sampled_from(("owner", "guardian", "outsider")),
        new_owner=st.sampled_from(("owner", "carol", "wallet")),
        accept=st.booleans(),
    )
    def transfer_ownership(self, sender: str, new_owner: str, accept: bool) -> None:
        sender = self.owner_name() if sender == "owner" else sender
        if accept:
            self.act(
                lambda: self.model.accept_ownership(self.a(new_owner)),
                new_owner,
                self.pool,
                "accept_ownership",
            )
        else:
            self.act(
                lambda: self.model.transfer_ownership(self.a(sender), self.a(new_owner)),
                sender,
                self.pool,
                "transfer_ownership",
                self.a(new_owner),
            )

    # ---- safety ----

    @rule(sender=st.sampled_from(("owner", "guardian", "outsider")), on=st.booleans())
    def pause(self, sender: str, on: bool) -> None:
        sender = self.owner_name() if sender == "owner" else sender
        if on:
            self.act(lambda: self.model.pause(self.a(sender)), sender, self.pool, "pause")
        else:
            self.act(lambda: self.model.unpause(self.a(sender)), sender, self.pool, "unpause")

    @precondition(lambda self: self.steps >= 20)
    @rule(sender=st.sampled_from(("owner", "guardian", "outsider", "wallet")))
    def wind_down(self, sender: str) -> None:
        """Invariant 13 (with `exit_after_close`): a wind-down stops deposits but every round up
        to its last is still settled; nothing is escaped."""
        sender = self.owner_name() if sender == "owner" else sender
        result = self.act(
            lambda: self.model.wind_down(self.a(sender)), sender, self.pool, "wind_down", returns=False
        )
        # every view once the pool changed state (a refused call changed nothing)
        self.views_due = result is not REVERTED

    @precondition(lambda self: self.steps >= 20)
    @rule(sender=st.sampled_from(("outsider", "alice", "owner")))
    def emergency_exit(self, sender: str) -> None:
        """Invariant 14: the emergency exit opens only once the next round waited the stall gap."""
        stalled = self.model.is_stalled()
        result = self.act(
            lambda: self.model.emergency_exit(self.a(sender)),
            sender,
            self.pool,
            "emergency_exit",
            returns=False,
        )
        if result is not REVERTED:
            assert stalled, "inv 14: the emergency exit opened without a stall"
            RUNS.paths["closed: emergency exit"] += 1
            self.views_due = True

    @rule(sender=st.sampled_from(("outsider", "alice")))
    def collect_owed(self, sender: str) -> None:
        """What the treasury owes is credited when it can pay (anyone may ask)."""
        result = self.act(lambda: self.model.collect_owed(self.a(sender)), sender, self.pool, "collect_owed")
        if result is not REVERTED:
            RUNS.paths["owed collected"] += 1
            self.settled_in_step = True  # collection credits a gain: the price may rise

    @rule(amount=st.sampled_from((1, 10**18, 500 * 10**18, 5_000 * 10**18)))
    def fund_treasury(self, amount: int) -> None:
        """Anyone refills the treasury (from the deployer, who holds the rest of the supply)."""
        treasury = self.factory_model.treasury
        ledger = self.model.nmr
        current = ledger.allowance(self.a("deployer"), treasury)
        self.act(
            lambda: ledger.change_approval(self.a("deployer"), treasury, current, amount),
            "deployer",
            self.nmr,
            "changeApproval",
            treasury,
            current,
            amount,
        )
        self.act(
            lambda: ledger.transfer_from(treasury, self.a("deployer"), treasury, amount),
            "deployer",
            self.treasury,
            "fund",
            amount,
            returns=False,
        )

    @rule(amount=st.sampled_from((1, 10**18, 123_456_789)))
    def donate(self, amount: int) -> None:
        """Invariant 10: NMR sent straight to the pool changes nobody's claim (the storage
        comparison after the step shows only the balances moved; the views are compared too)."""
        result = self.act(
            lambda: self.model.nmr.transfer(self.a("outsider"), self.pool.address, amount),
            "outsider",
            self.nmr,
            "transfer",
            self.pool.address,
            amount,
        )
        if result is not REVERTED:
            self.donated += amount

    @rule(kind=st.sampled_from(("max", "half", "zero")))
    def set_return_cap(self, kind: str) -> None:
        cap = {"max": MAX_RETURN_CAP, "half": MAX_RETURN_CAP // 2, "zero": 0}[kind]
        self.act(
            lambda: self.factory_model.set_return_cap(self.a("deployer"), cap),
            "deployer",
            self.factory,
            "set_return_cap",
            cap,
        )

    @rule(kind=st.sampled_from(("max", "lower", "zero", "above-max")), seed=seeds)
    def set_fee_cap(self, kind: str, seed: int) -> None:
        """The admin moves the fee cap; a fee (or a pending increase) above it is charged at the cap."""
        cap = {"max": 5_000, "lower": seed % 5_000, "zero": 0, "above-max": 10_001}[kind]
        self.act(
            lambda: self.factory_model.set_fee_cap(self.a("deployer"), cap),
            "deployer",
            self.factory,
            "set_fee_cap",
            cap,
        )

    @rule(
        function=st.sampled_from(
            (
                "settle",
                "set_fee",
                "claim_fees",
                "set_deposit_limit",
                "pause",
                "unpause",
                "wind_down",
                "transfer_ownership",
                "initialize",
                "set_stall_gap",
            )
        ),
        sender=st.sampled_from(("alice", "erin", "outsider", "settler", "guardian", "wallet")),
    )
    def unauthorized(self, function: str, sender: str) -> None:
        """Invariant 11: each privileged function refuses the wrong role, with its message."""
        a = self.a(sender)
        is_owner = a == self.model.owner
        guardian = self.factory_model.is_guardian(a)
        calls: dict[str, tuple[bool, str, str, tuple[Any, ...], Any]] = {
            "settle": (
                not self.factory_model.is_settler(a),
                "factory: not settler",
                "settle",
                (self.pool.address, self.model.last_settled_round + 1, 0, b"\0" * 32),
                self.factory,
            ),
            "set_fee": (not is_owner, "ownable: caller is not the owner", "set_fee", (0,), self.pool),
            "claim_fees": (not is_owner, "ownable: caller is not the owner", "claim_fees", (a,), self.pool),
            "set_deposit_limit": (
                not is_owner,
                "ownable: caller is not the owner",
                "set_deposit_limit",
                (0,),
                self.pool,
            ),
            "pause": (
                not is_owner and not guardian and not self.model.paused,
                "pool: not owner or guardian",
                "pause",
                (),
                self.pool,
            ),
            "unpause": (
                not is_owner and not guardian and self.model.paused,
                "pool: not owner or guardian",
                "unpause",
                (),
                self.pool,
            ),
            "wind_down": (
                not is_owner and not guardian,
                "pool: not owner or guardian",
                "wind_down",
                (),
                self.pool,
            ),
            "transfer_ownership": (
                not is_owner,
                "ownable: caller is not the owner",
                "transfer_ownership",
                (a,),
                self.pool,
            ),
            "initialize": (
                True,
                "pool: already initialized",
                "initialize",
                (a, b"\x01" * 32, "x", 0),
                self.pool,
            ),
            "set_stall_gap": (
                a not in self.factory_model.admins,
                "factory: not admin",
                "set_stall_gap",
                (40 * 86_400,),
                self.factory,
            ),
        }
        applies, message, method, args, contract = calls[function]
        if applies:
            self.driver.expect_revert(message, sender, contract, method, *args)

    @rule(
        function=st.sampled_from(
            (
                "setOperator",
                "requestDeposit",
                "requestRedeem",
                "cancelDepositRequest",
                "cancelRedeemRequest",
                "deposit",
                "mint",
                "redeem",
                "withdraw",
                "claim_fees",
                "transfer",
            )
        ),
        actor=delegators,
        seed=seeds,
    )
    def zero_address(self, function: str, actor: str, seed: int) -> None:
        """Invariant 15: the zero address is refused as receiver, controller and operator, with
        the pool's own message (mainnet NMR would take the NMR and lose it)."""
        zero, a = ZERO, self.a(actor)
        m = self.model
        pending = m.pending_requests(a, function == "cancelRedeemRequest")
        request_id = pending[-1][0] if pending else m.current_round()
        calls: dict[str, tuple[Any, str, tuple[Any, ...]]] = {
            "setOperator": (lambda: m.set_operator(a, zero, True), actor, (zero, True)),
            "requestDeposit": (
                lambda: m.request_deposit(a, 1 + seed % 10**18, zero, a),
                actor,
                (1 + seed % 10**18, zero, a),
            ),
            "requestRedeem": (lambda: m.request_redeem(a, 1, zero, a), actor, (1, zero, a)),
            "cancelDepositRequest": (
                lambda: m.cancel_deposit_request(a, request_id, a, zero),
                actor,
                (request_id, a, zero),
            ),
            "cancelRedeemRequest": (
                lambda: m.cancel_redeem_request(a, request_id, a, zero),
                actor,
                (request_id, a, zero),
            ),
            "deposit": (
                lambda: m.deposit(a, max(m.max_deposit(a), 1), zero, a),
                actor,
                (max(m.max_deposit(a), 1), zero, a),
            ),
            "mint": (
                lambda: m.mint(a, max(m.max_mint(a), 1), zero, a),
                actor,
                (max(m.max_mint(a), 1), zero, a),
            ),
            "redeem": (
                lambda: m.redeem(a, max(m.max_redeem(a), 1), zero, a),
                actor,
                (max(m.max_redeem(a), 1), zero, a),
            ),
            "withdraw": (
                lambda: m.withdraw(a, max(m.max_withdraw(a), 1), zero, a),
                actor,
                (max(m.max_withdraw(a), 1), zero, a),
            ),
            "claim_fees": (lambda: m.claim_fees(m.owner, zero), self.owner_name(), (zero,)),
            "transfer": (lambda: m.transfer(a, zero, 1), actor, (zero, 1)),
        }
        model_call, caller, args = calls[function]
        result = self.act(model_call, caller, self.pool, function, *args, returns=False)
        assert result is REVERTED, f"inv 15: {function} accepted the zero address"

    # ---- compound scenarios ----

    @precondition(
        lambda self: (
            not self.model.is_closed
            and self.model.wind_down_round == 0
            and self.model.current_round() - self.model.last_settled_round <= MAX_CATCH_UP
        )
    )
    @rule(cycles=st.integers(min_value=5, max_value=40), dust=st.sampled_from((1, 1, 2, 1_000)), seed=seeds)
    def dust_attack(self, cycles: int, dust: int, seed: int) -> None:
        """Attacker who knows the next results are losses (finding 3): empty the pool to dust,
        then alternate a settled loss (which burns the last wei: losses round up) with a dust
        deposit (which mints `supply + 1` shares at assets 0). Without a price floor the share
        count doubles every cycle until a packed field overflows and redemptions freeze; the
        pool must close as depleted instead (invariant 17), and every claim must still pay."""
        for name in DELEGATORS:  # everyone asks to leave; the lag settles it over the next rounds
            shares = self.model.balance_of(self.a(name))
            if shares:
                self.act(
                    lambda n=name, k=shares: self.model.request_redeem(self.a(n), k, self.a(n), self.a(n)),
                    name,
                    self.pool,
                    "requestRedeem",
                    shares,
                    self.a(name),
                    self.a(name),
                )
        for i in range(cycles):
            if self.model.is_closed:
                break
            self.advance_time("next-round", 1)
            while not self.model.is_closed and self.model.last_settled_round + 1 < self.model.current_round():
                # (a refused settlement fails the liveness check in settle_and_check)
                self.settle_and_check("settler", self.model.last_settled_round + 1, -self.cap(), seed + i)
            attacker = DELEGATORS[(seed + i) % len(DELEGATORS)]
            a = self.a(attacker)
            if not self.model.is_closed and self.model.nmr.balance_of(a) >= dust:
                self.act(
                    lambda: self.model.request_deposit(a, dust, a, a),
                    attacker,
                    self.pool,
                    "requestDeposit",
                    dust,
                    a,
                    a,
                )
        self.claims_always_pay()

    @precondition(
        lambda self: (
            not self.model.is_closed
            and self.model.wind_down_round == 0
            and self.model.current_round() - self.model.last_settled_round <= MAX_CATCH_UP
        )
    )
    @rule(seed=seeds)
    def owed_to_an_emptied_pool(self, seed: int) -> None:
        """Found by the long profile (mutant M23): gains the dry treasury could not pay pile up
        while every holder leaves; refilled, the treasury pays them into a pool with (almost)
        no shares, pricing a share beyond the high-water mark's 128-bit field. The settlement
        that collects them must still go through (the mark is kept within its field; the
        liveness check in settle_and_check fails the run otherwise)."""
        m = self.model
        for name in DELEGATORS:
            self.request_deposit(name, "self", False, "all", seed)
        # max gains drain the treasury (it holds little) until it owes 20,000 NMR
        for i in range(12):
            if m.is_closed or m.treasury_owed >= 20_000 * WAD:
                break
            self.advance_time("next-round", 1)
            while not m.is_closed and m.last_settled_round + 1 < m.current_round():
                self.settle_and_check("settler", m.last_settled_round + 1, self.cap(), seed + i)
        # every holder claims its shares and redeems them all; zero results convert them
        self.claims_always_pay()
        for name in DELEGATORS:
            self.request_redeem_all(name)
        for _ in range(2):
            self.advance_time("next-round", 1)
            while not m.is_closed and m.last_settled_round + 1 < m.current_round():
                self.settle_and_check("settler", m.last_settled_round + 1, 0, seed)
        self.claims_always_pay()
        # the refilled treasury pays what it owes at the next settlement
        self.fund_treasury(m.treasury_owed + WAD)
        self.advance_time("next-round", 1)
        if not m.is_closed:
            self.settle_and_check("settler", m.last_settled_round + 1, 0, seed)
        if m.high_water_mark == MAX_MARK:
            RUNS.paths["owed to an emptied pool: the mark at its field's limit"] += 1

    @precondition(lambda self: not self.model.is_closed and self.model.total_assets > 0)
    @rule(
        rounds=st.integers(min_value=1, max_value=6),
        direction=st.sampled_from(("losses", "gains", "mixed")),
        attacker=st.sampled_from(DELEGATORS + ("owner", "guardian")),
        tactic=st.sampled_from(
            (
                "redeem-all",
                "cancel-closed-deposit",
                "cancel-closed-redemption",
                "transfer-then-redeem",
                "wind-down-then-redeem",
                "deposit-now",
                "emergency-exit",
                "pause-then-redeem",
            )
        ),
        seed=seeds,
    )
    def informed_attack(self, rounds: int, direction: str, attacker: str, tactic: str, seed: int) -> None:
        """An attacker who knows the results of the closed, unsettled rounds (they are public on
        the leaderboard before they are settled) times a request, cancel, transfer, pause,
        wind-down or emergency exit to escape the losses or catch the gains. Whatever it does, it
        bears exactly the rounds its requests bear: invariant 16 (fair value) and the model
        comparison decide; then the rounds settle with the results it knew."""
        cap = self.cap()
        sign = {"losses": -1, "gains": 1}
        known = [
            sign.get(direction, 1 if (seed >> i) & 1 else -1) * (cap - (seed >> (8 * i)) % 1_000)
            for i in range(rounds)
        ]
        target = (
            self.model.last_settled_round + 1 + rounds
        )  # the round open once `rounds` are closed and unsettled
        while self.model.current_round() < target:
            self.advance_time("next-round", 1)
        a = self.a(attacker)
        owner_name = self.owner_name()
        if tactic == "redeem-all" and self.model.balance_of(a):
            self.request_redeem_all(attacker)
        elif tactic in ("cancel-closed-deposit", "cancel-closed-redemption"):
            redeem = tactic == "cancel-closed-redemption"
            for request_id, _ in self.model.pending_requests(a, redeem):
                method = "cancelRedeemRequest" if redeem else "cancelDepositRequest"
                model_call = self.model.cancel_redeem_request if redeem else self.model.cancel_deposit_request
                self.act(
                    lambda r=request_id, mc=model_call: mc(a, r, a, a),
                    attacker,
                    self.pool,
                    method,
                    request_id,
                    a,
                    a,
                )
        elif tactic == "transfer-then-redeem" and self.model.balance_of(a) and attacker in DELEGATORS:
            accomplice = self.other(attacker, seed)
            shares = self.model.balance_of(a)
            self.act(
                lambda: self.model.transfer(a, self.a(accomplice), shares),
                attacker,
                self.pool,
                "transfer",
                self.a(accomplice),
                shares,
            )
            self.request_redeem_all(accomplice)
        elif tactic == "wind-down-then-redeem":
            closer = attacker if attacker in ("guardian", owner_name) else owner_name
            self.act(
                lambda: self.model.wind_down(self.a(closer)), closer, self.pool, "wind_down", returns=False
            )
            for name in DELEGATORS:
                if self.model.balance_of(self.a(name)):
                    self.request_redeem_all(name)
        elif tactic == "deposit-now" and attacker in DELEGATORS:
            amount = self.model.nmr.balance_of(a) // 2
            if amount:
                self.act(
                    lambda: self.model.request_deposit(a, amount, a, a),
                    attacker,
                    self.pool,
                    "requestDeposit",
                    amount,
                    a,
                    a,
                )
        elif tactic == "emergency-exit":
            self.emergency_exit("outsider")
        elif tactic == "pause-then-redeem":
            pauser = attacker if attacker in ("guardian", owner_name) else owner_name
            if not self.model.paused:
                self.act(lambda: self.model.pause(self.a(pauser)), pauser, self.pool, "pause")
            if attacker in DELEGATORS and self.model.balance_of(a):
                self.request_redeem_all(attacker)
        RUNS.paths[f"informed attack: {tactic}"] += 1
        for round_return in known:  # the results the attacker knew
            if self.model.is_closed:
                break
            self.settle_and_check("settler", self.model.last_settled_round + 1, round_return, seed)
        self.claims_always_pay()

    def request_redeem_all(self, name: str) -> None:
        a = self.a(name)
        shares = self.model.balance_of(a)
        if shares:
            self.act(
                lambda: self.model.request_redeem(a, shares, a, a),
                name,
                self.pool,
                "requestRedeem",
                shares,
                a,
                a,
            )

    def claims_always_pay(self) -> None:
        """Invariant 18: every holder who is owed something can claim all of it."""
        for name in DELEGATORS:
            a = self.a(name)
            for style, maximum in (("mint", self.model.max_mint), ("withdraw", self.model.max_withdraw)):
                owed = maximum(a)
                if owed:
                    model_call = self.model.mint if style == "mint" else self.model.withdraw
                    result = self.act(
                        lambda mc=model_call, o=owed: mc(a, o, a, a), name, self.pool, style, owed, a, a
                    )
                    assert result is not REVERTED, (
                        f"inv 18: {name} could not claim the {owed} it is owed ({style})"
                    )

    @rule()
    def everyone_claims(self) -> None:
        self.claims_always_pay()

    @rule(
        kind=st.sampled_from(("one-round", "below-floor", "floor", "above", "max", "above-max")),
        sender=st.sampled_from(("deployer", "deployer", "owner")),
    )
    def set_stall_gap(self, kind: str, sender: str) -> None:
        """Finding 2: the stall gap stays longer than the resolution lag (30 to 365 days)."""
        gap = {
            "one-round": 86_400,
            "below-floor": 30 * 86_400 - 1,
            "floor": 30 * 86_400,
            "above": 45 * 86_400,
            "max": 365 * 86_400,
            "above-max": 365 * 86_400 + 1,
        }[kind]
        self.act(
            lambda: self.factory_model.set_stall_gap(self.a(sender), gap),
            sender,
            self.factory,
            "set_stall_gap",
            gap,
        )

    @precondition(
        lambda self: (
            not self.model.is_closed
            and self.model.wind_down_round == 0
            and not self.model.paused
            and self.model.is_converted(self.model.current_round(), DEPOSIT_SIDE)
        )
    )
    @rule(
        actor=delegators,
        kind=st.sampled_from(("one", "few", "part", "big")),
        seed=seeds,
        claim_in=st.sampled_from(("deposit", "mint", "split")),
        claim_out=st.sampled_from(("redeem", "withdraw", "split")),
    )
    def round_trip(self, actor: str, kind: str, seed: int, claim_in: str, claim_out: str) -> None:
        """Invariant 9: deposit, claim, redeem, claim with no settlement between never makes NMR."""
        a = self.a(actor)
        # what the actor was owed already is no part of the trip: claim it first
        self.claim_all(actor, "mint", split=False)
        self.claim_all(actor, "withdraw", split=False)
        nmr_before = self.model.nmr.balance_of(a)
        shares_before = self.model.balance_of(a)
        assets = min(pick_amount(kind, seed, nmr_before), nmr_before)
        if (
            assets == 0
            or self.model.total_assets + self.model.pending_deposit_assets + assets > self.model.deposit_limit
        ):
            return
        self.act(
            lambda: self.model.request_deposit(a, assets, a, a),
            actor,
            self.pool,
            "requestDeposit",
            assets,
            a,
            a,
        )
        self.claim_all(actor, "deposit" if claim_in == "split" else claim_in, split=claim_in == "split")
        got = self.model.balance_of(a) - shares_before
        if got > 0:
            self.act(
                lambda: self.model.request_redeem(a, got, a, a), actor, self.pool, "requestRedeem", got, a, a
            )
            self.claim_all(actor, "redeem" if claim_out == "split" else claim_out, split=claim_out == "split")
        assert self.model.nmr.balance_of(a) <= nmr_before, (
            "inv 9: a round trip ended with more NMR than put in"
        )
        assert self.nmr.balanceOf(a) <= nmr_before, (
            "inv 9: a round trip ended with more NMR than put in (chain)"
        )

    def claim_all(self, actor: str, style: str, split: bool) -> None:
        a = self.a(actor)
        maxima = {
            "deposit": self.model.max_deposit,
            "mint": self.model.max_mint,
            "redeem": self.model.max_redeem,
            "withdraw": self.model.max_withdraw,
        }
        model_calls = {
            "deposit": self.model.deposit,
            "mint": self.model.mint,
            "redeem": self.model.redeem,
            "withdraw": self.model.withdraw,
        }
        for part in (2, 1) if split else (1,):
            amount = maxima[style](a) // part
            if amount == 0:
                continue
            self.act(lambda: model_calls[style](a, amount, a, a), actor, self.pool, style, amount, a, a)

    @precondition(lambda self: self.model.paused)
    @rule(actor=delegators, seed=seeds)
    def redeem_while_paused(self, actor: str, seed: int) -> None:
        """Invariant 8: pausing never blocks a redemption or a claim."""
        a = self.a(actor)
        shares = self.model.balance_of(a)
        if shares > 0:
            part = 1 + seed % shares
            result = self.act(
                lambda: self.model.request_redeem(a, part, a, a),
                actor,
                self.pool,
                "requestRedeem",
                part,
                a,
                a,
            )
            assert result is not REVERTED, "inv 8: a redemption was blocked while paused"
        if self.model.max_mint(a) > 0:
            self.claim_all(actor, "mint", split=False)
            assert self.model.max_mint(a) == 0, "inv 8: a deposit claim was blocked while paused"
        if self.model.max_withdraw(a) > 0:
            self.claim_all(actor, "withdraw", split=False)
            assert self.model.max_withdraw(a) == 0, "inv 8: a redemption claim was blocked while paused"

    @precondition(lambda self: self.model.is_closed)
    @rule(actor=delegators)
    def exit_after_close(self, actor: str) -> None:
        """Invariant 8: once closed every holder gets out in full, at the final price."""
        a = self.a(actor)
        for redeem_side in (False, True):
            for request_id, _ in self.model.pending_requests(a, redeem_side):
                if redeem_side:
                    self.act(
                        lambda r=request_id: self.model.cancel_redeem_request(a, r, a, a),
                        actor,
                        self.pool,
                        "cancelRedeemRequest",
                        request_id,
                        a,
                        a,
                    )
                else:
                    self.act(
                        lambda r=request_id: self.model.cancel_deposit_request(a, r, a, a),
                        actor,
                        self.pool,
                        "cancelDepositRequest",
                        request_id,
                        a,
                        a,
                    )
        if self.model.max_mint(a) > 0:
            self.claim_all(actor, "mint", split=False)
        # by shares: a dust claim worth 0 NMR (maxWithdraw 0, maxRedeem 1) is cleared too
        self.claim_all(actor, "redeem", split=False)
        shares = self.model.balance_of(a)
        if shares > 0:
            price_assets = self.model.convert_to_assets(shares)
            nmr_before = self.model.nmr.balance_of(a)
            self.act(
                lambda: self.model.request_redeem(a, shares, a, a),
                actor,
                self.pool,
                "requestRedeem",
                shares,
                a,
                a,
            )
            self.claim_all(actor, "redeem", split=False)
            assert self.model.nmr.balance_of(a) - nmr_before == price_assets, (
                "inv 8: exit not paid at the final price"
            )
        assert self.pool.balanceOf(a) == 0, "inv 8: shares left after a full exit from a closed pool"
        assert self.pool.maxMint(a) == 0 and self.pool.maxRedeem(a) == 0 and self.pool.maxWithdraw(a) == 0, (
            "inv 8: a claim left after a full exit from a closed pool"
        )
        assert not self.pool.pending_requests(a, False) and not self.pool.pending_requests(a, True), (
            "inv 8: pending requests left after a full exit from a closed pool"
        )

    # ---- invariants ----

    @invariant()
    def count_step(self) -> None:
        self.steps += 1
        RUNS.steps += 1

    def compare_every_view(self) -> None:
        """Every computed view (prices, conversions, claimable amounts, open requests) equals the model's."""
        chain = read_chain(self.lens, self.pool, self.plan, self.model)
        assert chain["block.timestamp"] == self.model.clock.timestamp, "clock out of step with the chain"
        diffs = view_differences(chain, read_model(self.model, self.plan))
        assert not diffs, "chain views and model differ:\n  " + "\n  ".join(diffs[:20])
        self.views_compared_at = self.steps

    @invariant()
    def chain_matches_model(self) -> None:
        """Every storage variable of every contract equals the model's, by name (and every view,
        every VIEW_EVERY steps, at the start and after a wind-down or an emergency exit)."""
        models = {
            "pool": pool_storage(self.model),
            "nmr": nmr_storage(self.model.nmr),
            "factory": factory_storage(self.factory_model),
            "treasury": treasury_storage(),
        }
        views_due = self.steps - self.views_compared_at >= VIEW_EVERY or self.views_due
        for name, reader in self.readers.items():
            stored = reader.read()
            diffs = differences(stored, models[name])
            assert not diffs, f"{name} storage and model differ:\n  " + "\n  ".join(diffs[:20])
            if views_due:  # the reader's cache of decoded slots against a read of every slot
                stale = differences(stored, reader.read_afresh())
                assert not stale, f"{name}: the storage reader's cache is stale:\n  " + "\n  ".join(
                    stale[:20]
                )
        if views_due:
            self.views_due = False
            self.compare_every_view()

    @invariant()
    def holders_left_with_fair_value(self) -> None:
        """Invariant 16: every holder who has left the pool received the fair value of the
        rounds it bore (computed in exact fractions from the settled results)."""
        if not self.fair.comparable:
            RUNS.paths["fair value not comparable (windfall into a dust pool)"] += 1
            return
        for name in HOLDERS:
            address = self.a(name)
            if self.fair.is_gone(address, self.model.balance_of(address)) and self.fair.received[address]:
                self.fair.check_exit(name, address)
                RUNS.paths["fair exits checked"] += 1

    @invariant()
    def share_counts_bounded(self) -> None:
        """Invariant 17: an open pool never prices a share below MIN_PRICE, so share counts stay
        far below what a packed field holds (supply <= (assets + 1) * 1e6 < 2**104)."""
        m = self.model
        if not m.is_closed:
            assert m.price_per_share() >= MIN_PRICE, "inv 17: an open pool's price fell below the floor"
        assert m.share_supply() < 2**104, "inv 17: share supply beyond its bound"

    @invariant()
    def nothing_sent_to_zero(self) -> None:
        """Invariant 15: no NMR and no share ever reaches the zero address."""
        assert self.model.nmr.balance_of(ZERO) == 0, "inv 15: NMR was sent to the zero address"
        assert self.model.balance_of(ZERO) == 0, "inv 15: shares were sent to the zero address"

    @invariant()
    def nmr_is_accounted_for(self) -> None:
        m = self.model
        held = m.total_assets + m.pending_deposit_assets + m.reserved_redeem_assets + m.fees_owed
        balance = m.nmr.balance_of(m.address)
        assert balance == held + self.donated, (
            f"inv 1: pool holds {balance} NMR, accounts for {held} + donations {self.donated}"
        )

    @invariant()
    def shares_add_up(self) -> None:
        m = self.model
        total = sum(m.shares.balances.values())
        assert total == m.total_supply(), f"inv 2: balances sum to {total}, totalSupply is {m.total_supply()}"
        owed = sum(m.claimable_deposit_shares.values())
        assert m.unclaimed_deposit_shares >= owed, (
            "inv 2: the pool counts fewer unclaimed shares than it owes"
        )

    @invariant()
    def price_moves_only_in_settlement(self) -> None:
        assets, supply = self.model.total_assets, self.model.share_supply()
        price = (assets + 1) * WAD // (supply + 1)
        if self.settled_in_step:
            self.settled_in_step = False
        elif (assets, supply) == self.prev_assets_supply:
            assert price == self.prev_price, "inv 4: price changed outside settlement"
        else:
            # only a conversion at the current price moved assets and supply: rounding dust, upwards
            assert price >= self.prev_price, "inv 4: price fell outside settlement"
            if supply > 0:
                bound = self.prev_price // supply + WAD // (supply + 1) + 2
                assert price - self.prev_price <= bound, (
                    "inv 4: price rose by more than rounding outside settlement"
                )
        assert self.model.high_water_mark >= self.prev_hwm, "inv 6: high-water mark decreased"
        self.prev_price, self.prev_hwm = price, self.model.high_water_mark
        self.prev_assets_supply = (assets, supply)


def test_pool_against_model(fuzz_world: _Shared) -> None:
    started, cpu_started = time.perf_counter(), time.process_time()
    steps, histories, sent = RUNS.steps, RUNS.histories, LAST.sent
    run_on_roomy_stack(lambda: run_state_machine_as_test(PoolMachine, settings=fuzz_settings()))
    RUNS.record(
        "pool machine",
        RUNS.steps - steps,
        RUNS.histories - histories,
        LAST.sent - sent,
        time.perf_counter() - started,
        time.process_time() - cpu_started,
    )


assert FEE_BPS > 0  # the fee paths need a non-zero starting fee
