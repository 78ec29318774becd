"""Differential stateful test: DelegationPool on chain against the Python reference model.

Every rule makes the same call on the model (`nmr_pools.model.PoolModel`) and on the chain:
when the model reverts, the chain must revert with the same message; otherwise the chain must
succeed. After every step the whole pool is compared (balances, pending and claimable views,
groups, price, high-water mark, fees, rounds) and the numbered invariants of the issue are
checked; each assertion says which one failed.

Every history starts from a pool with active assets at a price that is not 1
(`start_with_delegators`), and compound rules make the value paths that need such a pool
frequent: a deposit group converting in `settle` (`requests_while_lagging`) and a gain after a
loss, below or across the high-water mark (`loss_then_gain`). `--hypothesis-show-statistics`
shows how often they ran, and the steps run over all phases ("machine totals").
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import ape
from eth_account import Account
from eth_account.messages import encode_typed_data
from hypothesis import event as note_event, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test

from nmr_pools.model import WAD, Clock, FactoryModel, ModelRevert, PoolModel, RoundSchedule, TokenLedger
from nmr_pools.model.factory import MAX_RETURN_CAP
from nmr_pools.model.fixed_point import BPS, mul_div
from tests.stateful.conftest import FEE_BPS, FEE_DELAY_ROUNDS, STALL_GAP_ROUNDS, PoolEnv, stateful_settings
from tests.stateful.snapshot import Layout, StorageReader, differences, read_chain, read_model, read_model_storage

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# compare every view through the lens this often (and after every settlement); storage every step
VIEW_EVERY = 10

DELEGATORS = ("alice", "bob", "carol", "dave")
OPERATOR_CANDIDATES = ("erin", "alice", "bob", "carol", "dave", "outsider")
REVERTED = object()

delegators = st.sampled_from(DELEGATORS)
amount_kinds = st.sampled_from(("one", "few", "part", "part", "all", "all+1", "zero", "big"))
seeds = st.integers(min_value=0, max_value=2**64)


def pick_amount(kind: str, seed: int, available: int) -> int:
    """An amount of the given kind relative to what the actor has (1 wei, all, all + 1, …)."""
    return {
        "one": 1,
        "few": 1 + seed % 9,
        "part": 1 + seed % max(available, 1),
        "all": available,
        "all+1": available + 1,
        "zero": 0,
        "big": (1 + seed % 5_000) * 10**18,
    }[kind]


class PoolMachine(RuleBasedStateMachine):
    env: PoolEnv  # set by the test before the machine runs
    totals: Counter[str] = Counter()  # steps and paths taken, summed over the test's histories

    def __init__(self) -> None:
        super().__init__()
        env = self.env
        self.snap = env.chain.snapshot()
        self.acct = env.accounts
        self.addr = {name: account.address for name, account in env.accounts.items()}
        self.pool = env.pool
        # model of the same state
        nmr = TokenLedger()
        for name, balance in env.nmr_balances.items():
            address = env.pool.address if name == "pool" else env.treasury.address if name == "treasury" else self.addr[name]
            nmr.balances[address] = balance
        nmr.total_supply = sum(env.nmr_balances.values())
        for name in ("alice", "bob", "carol", "dave", "erin", "outsider", "owner"):
            nmr.allowances[(self.addr[name], env.pool.address)] = 2**256 - 1
        self.factory_model = FactoryModel(
            address=env.factory.address,
            treasury=env.treasury.address,
            schedule=RoundSchedule(env.genesis, env.round_length),
            nmr=nmr,
            fee_delay_rounds=FEE_DELAY_ROUNDS,
            stall_gap=STALL_GAP_ROUNDS * env.round_length,
            admins={self.addr["deployer"]},
            settlers={self.addr["deployer"], self.addr["settler"]},
            guardians={self.addr["deployer"], self.addr["guardian"]},
        )
        self.clock = Clock(env.created_at)
        self.model = PoolModel(
            address=env.pool.address, factory=self.factory_model, clock=self.clock, owner=self.addr["owner"], fee_bps=FEE_BPS
        )
        self.tester = env.chain.provider.tester.ethereum_tester
        self.storage = StorageReader(env.chain, env.pool.address, env.nmr.address, PROJECT_ROOT)
        self.stored: tuple[int, dict[Any, Any]] | None = None
        self.head_ts = env.start_ts
        self.clock.timestamp = self.head_ts + 1
        names = {name: self.addr[name] for name in self.addr}
        pairs = [(o, s) for o in DELEGATORS for s in OPERATOR_CANDIDATES if s != o]
        self.layout = Layout(names, pairs, list(DELEGATORS))
        # ghosts
        self.version = 0
        self.cached: tuple[int, dict[Any, int]] | None = None
        self.donated = 0
        self.prev_price = self.model.price_per_share()
        self.prev_hwm = self.model.high_water_mark
        self.prev_assets_supply = (0, 0)
        self.settled_in_step = False
        self.views_due = False
        self.fee_proposal: tuple[int, int, int] | None = None  # (round proposed, delay, fee before)
        self.steps = 0

    def teardown(self) -> None:
        self.totals["histories"] += 1
        self.env.chain.restore(self.snap)

    # ---- plumbing ----

    def act(self, model_call: Any, chain_call: Any) -> tuple[Any, Any]:
        """Call the model, then the chain; a model revert must be the chain's revert, verbatim."""
        self.version += 1
        self.clock.timestamp = self.pending_timestamp()
        try:
            expected = model_call()
        except ModelRevert as err:
            with ape.reverts(err.message):
                chain_call()
            return REVERTED, None
        tx = chain_call()
        return expected, tx

    def pending_timestamp(self) -> int:
        """`block.timestamp` of the next transaction (every sent transaction mines a block, even a reverting one)."""
        return int(self.tester.get_block_by_number("pending")["timestamp"])

    def observe(self) -> dict[Any, int]:
        """The chain's view of everything, read once per state (one lens call at the latest block)."""
        if self.cached is None or self.cached[0] != self.version:
            self.head_ts = int(self.tester.get_block_by_number("latest")["timestamp"])
            self.clock.timestamp = self.head_ts
            view = read_chain(self.env.chain, self.env.lens, self.pool, self.env.nmr, self.env.treasury, self.layout, self.model)
            self.cached = (self.version, view)
        return self.cached[1]

    def state(self) -> dict[Any, Any]:
        """The pool's and NMR's raw storage (cheap: no EVM calls), read once per state."""
        if self.stored is None or self.stored[0] != self.version:
            self.stored = (self.version, self.storage.read(self.layout, self.model, self.env.treasury.address))
        return self.stored[1]

    def other(self, name: str, seed: int) -> str:
        others = [d for d in DELEGATORS if d != name]
        return others[seed % len(others)]

    def sender_for(self, name: str, via: str, seed: int) -> str:
        """The caller acting for `name`: itself, its operator (if any), or someone else."""
        if via == "self":
            return name
        if via == "operator":
            operators = [o for o in OPERATOR_CANDIDATES if o != name and self.model.is_operator(self.addr[name], self.addr[o])]
            return operators[seed % len(operators)] if operators else "erin"
        return "outsider"

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
            lambda: self.model.set_operator(self.addr[controller], self.addr[operator], approved),
            lambda: self.pool.setOperator(self.addr[operator], approved, sender=self.acct[controller]),
        )

    @rule(owner=delegators, to=st.sampled_from(DELEGATORS + ("erin", "pool")), kind=amount_kinds, seed=seeds)
    def transfer_shares(self, owner: str, to: str, kind: str, seed: int) -> None:
        amount = pick_amount(kind, seed, self.model.balance_of(self.addr[owner]))
        target = self.pool.address if to == "pool" else self.addr[to]
        self.act(
            lambda: self.model.transfer(self.addr[owner], target, amount),
            lambda: self.pool.transfer(target, amount, sender=self.acct[owner]),
        )

    @rule(owner=delegators, spender=st.sampled_from(OPERATOR_CANDIDATES), kind=amount_kinds, seed=seeds, signed=st.booleans(), expired=st.booleans())
    def approve_shares(self, owner: str, spender: str, kind: str, seed: int, signed: bool, expired: bool) -> None:
        """`approve`, or an EIP-2612 `permit` signed by the owner (possibly expired)."""
        amount = pick_amount(kind, seed, self.model.balance_of(self.addr[owner]))
        if not signed:
            self.act(
                lambda: self.model.approve(self.addr[owner], self.addr[spender], amount),
                lambda: self.pool.approve(self.addr[spender], amount, sender=self.acct[owner]),
            )
            return
        deadline = self.pending_timestamp() - 1 if expired else self.pending_timestamp() + 3_600
        nonce = self.model.shares.nonce(self.addr[owner])
        v, r, s = self.sign_permit(owner, spender, amount, nonce, deadline)
        self.act(
            lambda: self.model.permit(self.addr[owner], self.addr[spender], amount, deadline),
            lambda: self.pool.permit(self.addr[owner], self.addr[spender], amount, deadline, v, r, s, sender=self.acct["erin"]),
        )

    def sign_permit(self, owner: str, spender: str, amount: int, nonce: int, deadline: int) -> tuple[int, bytes, bytes]:
        message = {
            "types": {
                "EIP712Domain": [
                    {"name": "name", "type": "string"},
                    {"name": "version", "type": "string"},
                    {"name": "chainId", "type": "uint256"},
                    {"name": "verifyingContract", "type": "address"},
                ],
                "Permit": [
                    {"name": "owner", "type": "address"},
                    {"name": "spender", "type": "address"},
                    {"name": "value", "type": "uint256"},
                    {"name": "nonce", "type": "uint256"},
                    {"name": "deadline", "type": "uint256"},
                ],
            },
            "primaryType": "Permit",
            "domain": self.permit_domain(),
            "message": {"owner": self.addr[owner], "spender": self.addr[spender], "value": amount, "nonce": nonce, "deadline": deadline},
        }
        signed = Account.sign_message(encode_typed_data(full_message=message), self.acct[owner].private_key)
        return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")

    def permit_domain(self) -> dict[str, Any]:
        if not hasattr(type(self), "_domain"):
            fields = self.pool.eip712Domain()
            type(self)._domain = {"name": fields[1], "version": fields[2], "chainId": fields[3], "verifyingContract": fields[4]}
        return type(self)._domain  # type: ignore[attr-defined]

    @rule(spender=st.sampled_from(OPERATOR_CANDIDATES), owner=delegators, to=st.sampled_from(DELEGATORS + ("erin",)), kind=amount_kinds, seed=seeds)
    def transfer_shares_from(self, spender: str, owner: str, to: str, kind: str, seed: int) -> None:
        amount = pick_amount(kind, seed, self.model.shares.allowance(self.addr[owner], self.addr[spender]))
        amount = min(amount, self.model.balance_of(self.addr[owner]) + (kind == "all+1"))
        self.act(
            lambda: self.model.transfer_from(self.addr[spender], self.addr[owner], self.addr[to], amount),
            lambda: self.pool.transferFrom(self.addr[owner], self.addr[to], amount, sender=self.acct[spender]),
        )

    # ---- requests ----

    @rule(owner=delegators, via=st.sampled_from(("self", "self", "operator", "stranger")), to_other=st.booleans(), kind=amount_kinds, seed=seeds)
    def request_deposit(self, owner: str, via: str, to_other: bool, kind: str, seed: int) -> None:
        sender = self.sender_for(owner, via, seed)
        controller = self.other(owner, seed) if to_other else owner
        assets = pick_amount(kind, seed, self.model.nmr.balance_of(self.addr[owner]))
        request_id, _ = self.act(
            lambda: self.model.request_deposit(self.addr[sender], assets, self.addr[controller], self.addr[owner]),
            lambda: self.pool.requestDeposit(assets, self.addr[controller], self.addr[owner], sender=self.acct[sender]),
        )
        if request_id is not REVERTED:
            self.check_request_timing(request_id, redeem=False)

    @rule(owner=delegators, via=st.sampled_from(("self", "self", "operator", "spender")), to_other=st.booleans(), kind=amount_kinds, seed=seeds)
    def request_redeem(self, owner: str, via: str, to_other: bool, kind: str, seed: int) -> None:
        sender = self.sender_for(owner, "operator" if via == "operator" else "self", seed)
        if via == "spender":
            sender = OPERATOR_CANDIDATES[seed % len(OPERATOR_CANDIDATES)]
        controller = self.other(owner, seed) if to_other else owner
        shares = pick_amount(kind, seed, self.model.balance_of(self.addr[owner]))
        request_id, _ = self.act(
            lambda: self.model.request_redeem(self.addr[sender], shares, self.addr[controller], self.addr[owner]),
            lambda: self.pool.requestRedeem(shares, self.addr[controller], self.addr[owner], sender=self.acct[sender]),
        )
        if request_id is not REVERTED:
            self.check_request_timing(request_id, redeem=True)

    def check_request_timing(self, request_id: int, redeem: bool) -> None:
        """Invariant 5: a request joins the group of the round open now, and converts at once
        only when nothing it must not share in is left (for deposits: exactly after round - 1)."""
        assert request_id == self.model.current_round(), "inv 5: request id is not the round open now"
        if not self.model.is_converted(request_id):
            return
        if redeem:
            assert self.model.last_settled_round <= request_id - 1 or self.model.is_shutdown, (
                "inv 5: a redemption shared in a round opened after its request"
            )
        else:
            assert self.model.last_settled_round == request_id - 1, (
                "inv 5: a deposit converted at a price that missed or included the wrong rounds"
            )

    @rule(controller=delegators, which=st.sampled_from(("current", "oldest", "newest", "any")), via=st.sampled_from(("self", "operator", "stranger")), redeem=st.booleans(), seed=seeds)
    def cancel_request(self, controller: str, which: str, via: str, redeem: bool, seed: int) -> None:
        pending = self.model.pending_requests(self.addr[controller], redeem)
        rounds = [r for r, _ in pending] or [self.model.current_round()]
        request_id = {
            "current": self.model.current_round(),
            "oldest": rounds[0],
            "newest": rounds[-1],
            "any": rounds[seed % len(rounds)] + (seed % 3) - 1,
        }[which]
        sender = self.sender_for(controller, via, seed)
        receiver = self.addr[DELEGATORS[seed % len(DELEGATORS)]]
        if redeem:
            self.act(
                lambda: self.model.cancel_redeem_request(self.addr[sender], request_id, self.addr[controller], receiver),
                lambda: self.pool.cancelRedeemRequest(request_id, self.addr[controller], receiver, sender=self.acct[sender]),
            )
        else:
            self.act(
                lambda: self.model.cancel_deposit_request(self.addr[sender], request_id, self.addr[controller], receiver),
                lambda: self.pool.cancelDepositRequest(request_id, self.addr[controller], receiver, sender=self.acct[sender]),
            )

    # ---- claims ----

    @rule(controller=delegators, style=st.sampled_from(("deposit", "mint")), kind=amount_kinds, seed=seeds, via=st.sampled_from(("self", "self", "operator", "stranger")), to_other=st.booleans())
    def claim_deposit(self, controller: str, style: str, kind: str, seed: int, via: str, to_other: bool) -> None:
        sender = self.sender_for(controller, via, seed)
        receiver = self.addr[self.other(controller, seed) if to_other else controller]
        c = self.addr[controller]
        if style == "deposit":
            assets = pick_amount(kind, seed, self.model.max_deposit(c))
            self.act(
                lambda: self.model.deposit(self.addr[sender], assets, receiver, c),
                lambda: self.pool.deposit(assets, receiver, c, sender=self.acct[sender]),
            )
        else:
            shares = pick_amount(kind, seed, self.model.max_mint(c))
            self.act(
                lambda: self.model.mint(self.addr[sender], shares, receiver, c),
                lambda: self.pool.mint(shares, receiver, c, sender=self.acct[sender]),
            )

    @rule(controller=delegators, style=st.sampled_from(("redeem", "withdraw")), kind=amount_kinds, seed=seeds, via=st.sampled_from(("self", "self", "operator", "stranger")), to_other=st.booleans())
    def claim_redemption(self, controller: str, style: str, kind: str, seed: int, via: str, to_other: bool) -> None:
        sender = self.sender_for(controller, via, seed)
        receiver = self.addr[self.other(controller, seed) if to_other else controller]
        c = self.addr[controller]
        if style == "redeem":
            shares = pick_amount(kind, seed, self.model.max_redeem(c))
            self.act(
                lambda: self.model.redeem(self.addr[sender], shares, receiver, c),
                lambda: self.pool.redeem(shares, receiver, c, sender=self.acct[sender]),
            )
        else:
            assets = pick_amount(kind, seed, self.model.max_withdraw(c))
            self.act(
                lambda: self.model.withdraw(self.addr[sender], assets, receiver, c),
                lambda: self.pool.withdraw(assets, receiver, c, sender=self.acct[sender]),
            )

    @rule(thief=st.sampled_from(("outsider", "erin", "bob")), victim=delegators, style=st.sampled_from(("deposit", "mint", "redeem", "withdraw")), over=st.booleans())
    def claim_too_much(self, thief: str, victim: str, style: str, over: bool) -> None:
        """Invariant 3: nobody claims more than owed, nor someone else's claim."""
        v = self.addr[victim]
        owed = {"deposit": self.model.max_deposit(v), "mint": self.model.max_mint(v), "redeem": self.model.max_redeem(v), "withdraw": self.model.max_withdraw(v)}[style]
        caller = victim if over else thief
        if not over and (caller == victim or self.model.is_operator(v, self.addr[caller])):
            return
        amount = owed + 1 if over else max(owed, 1)
        call = getattr(self.pool, style)
        expected = "pool: more than claimable" if over else "pool: not controller or operator"
        model_call = {"deposit": self.model.deposit, "mint": self.model.mint, "redeem": self.model.redeem, "withdraw": self.model.withdraw}[style]
        try:
            model_call(self.addr[caller], amount, self.addr[caller], v)
            raise AssertionError("inv 3: the model let a claim through that must fail")
        except ModelRevert as err:
            assert err.message == expected, f"inv 3: model reverted with {err.message!r}, expected {expected!r}"
        self.version += 1
        with ape.reverts(expected):
            call(amount, self.addr[caller], v, sender=self.acct[caller])

    # ---- settlement ----

    @precondition(lambda self: not self.model.is_shutdown and self.model.total_assets > 0)
    @rule(loss=st.integers(min_value=1, max_value=MAX_RETURN_CAP), gain=st.sampled_from(("max", "near-max", "random", "one")), seed=seeds)
    def loss_then_gain(self, loss: int, gain: str, seed: int) -> None:
        """Invariant 6 where it bites: a gain after a loss, ending below or above the high-water
        mark, pays the fee only on the part above the mark."""
        cap = min(self.factory_model.return_cap, MAX_RETURN_CAP)
        self.advance_time("next-round", 1)
        self.settle_and_check("settler", self.model.last_settled_round + 1, -min(loss, cap), seed)
        self.advance_time("next-round", 1)
        round_return = {"max": cap, "near-max": cap - seed % 1_000, "random": seed % (cap + 1), "one": 1}[gain]
        self.settle_and_check("settler", self.model.last_settled_round + 1, max(round_return, 0), seed)

    @precondition(lambda self: not self.model.is_shutdown)
    @rule(
        depositor=delegators,
        redeemer=delegators,
        cancel=st.sampled_from(("none", "none", "stranger", "self")),
        kind=st.sampled_from(("max", "min", "random", "near-max")),
        seed=seeds,
    )
    def requests_while_lagging(self, depositor: str, redeemer: str, cancel: str, kind: str, seed: int) -> None:
        """Invariant 5 on the settlement path: requests made while the round before is unsettled
        wait in their group (only their controller may cancel them) and convert together at
        the price the settlement sets."""
        if self.model.is_converted(self.model.current_round()):
            self.advance_time("next-round", 1)
        self.request_deposit(depositor, "self", False, "part", seed)
        self.request_redeem(redeemer, "self", False, "part", seed // 3)
        if cancel != "none":
            self.cancel_request(depositor, "current", cancel, False, seed)
        self.settle("settler", kind, seed)

    @rule(via=st.sampled_from(("settler", "settler", "batch", "deployer")), kind=st.sampled_from(("zero", "max", "min", "one", "-one", "random", "random", "near-max")), seed=seeds)
    def settle(self, via: str, kind: str, seed: int) -> None:
        cap = min(self.factory_model.return_cap, MAX_RETURN_CAP)
        round_return = {
            "zero": 0,
            "max": cap,
            "min": -cap,
            "one": 1,
            "-one": -1,
            "random": (seed % (2 * cap + 1)) - cap,
            "near-max": cap - seed % 1_000,
        }[kind]
        round_id = self.model.last_settled_round + 1
        self.settle_and_check(via, round_id, round_return, seed)

    @rule(kind=st.sampled_from(("max", "min", "random", "random", "near-max")), seed=seeds)
    def next_round_and_settle(self, kind: str, seed: int) -> None:
        """The common path, made frequent: a round closes and its result is settled."""
        self.advance_time("next-round", 1)
        self.settle("settler", kind, seed)

    def settle_and_check(self, via: str, round_id: int, round_return: int, seed: int) -> Any:
        before = self.state()
        digest = seed.to_bytes(32, "big")
        sender = self.addr["deployer"] if via == "batch" else self.addr[via]
        model_sender = self.env.factory.address if via == "batch" else sender

        def chain_call() -> Any:
            if via == "batch":
                return self.env.factory.settle_many([(self.pool.address, round_id, round_return, digest)], sender=self.acct["deployer"])
            return self.pool.settle(round_id, round_return, digest, sender=self.acct[via])

        outcome, tx = self.act(lambda: self.model.settle(model_sender, round_id, round_return, digest), chain_call)
        if outcome is REVERTED:
            return outcome
        self.settled_in_step = True
        (event,) = tx.decode_logs(self.pool.Settled)
        assets0, supply0, hwm0 = before["total_assets"], before["erc20.totalSupply"], before["high_water_mark"]
        got = (event.paid, event.burned, event.fee, event.total_assets, event.price_per_share, event.high_water_mark)
        want = (outcome.paid, outcome.burned, outcome.fee, outcome.total_assets, outcome.price_per_share, outcome.high_water_mark)
        # inv 4: the price moves by the settled return only (fee aside), computed from scratch here
        if round_return >= 0:
            assert event.paid == assets0 * round_return // WAD and event.burned == 0, "inv 4: paid is not floor(A * r)"
            assert event.total_assets == assets0 + event.paid - event.fee, "inv 4: assets moved by more than return - fee"
        else:
            assert event.burned == -(-assets0 * -round_return // WAD) and event.paid == 0, "inv 4: burned is not ceil(A * |r|)"
            assert event.total_assets == assets0 - event.burned and event.fee == 0, "inv 4: a loss changed more than the burn"
        assert event.price_per_share == (event.total_assets + 1) * WAD // (supply0 + 1), "inv 4: settled price is not (A' + 1) / (S + 1)"
        # inv 6: fees only above the high-water mark, which never falls
        fee_bps = before["fee_bps"] if not (before["pending_fee_round"] and round_id >= before["pending_fee_round"]) else before["pending_fee_bps"]
        price_before_fee = (assets0 + event.paid + 1) * WAD // (supply0 + 1)
        if event.fee > 0:
            assert round_return > 0, "inv 6: fee charged on a round without a gain"
            assert price_before_fee >= hwm0, "inv 6: fee charged below the high-water mark"
            assert event.price_per_share >= hwm0, "inv 6: the fee pushed the price below the high-water mark"
            assert event.fee <= event.paid * fee_bps // BPS, "inv 6: fee above fee_bps of the gain"
            hwm_assets = mul_div(hwm0, supply0 + 1, WAD, True) - 1
            assert event.fee == (assets0 + event.paid - max(assets0, hwm_assets)) * fee_bps // BPS, "inv 6: fee not on the gain above the mark"
        assert event.high_water_mark >= hwm0, "inv 6: high-water mark decreased"
        # then everything else the model says (after the invariants, which name what broke)
        assert got == want, f"Settled event {got} != model {want}"
        # inv 12: a raised fee applies only to rounds a delegator could leave before
        after_fee = outcome.fee_bps
        if after_fee > before["fee_bps"]:
            assert self.fee_proposal is not None, "inv 12: fee rose without a proposal"
            proposed_in, delay, _ = self.fee_proposal
            assert delay >= 1 and round_id >= proposed_in + delay, "inv 12: fee increase applied before its delay"
            # a redemption requested in the proposal round converted at settle(proposed_in - 1), before this round
            assert round_id > proposed_in - 1, "inv 12: fee increase hit a round an exiting delegator still bore"
        if assets0 > 0 and round_return != 0:  # coverage of the paths that need active assets (statistics)
            below = assets0 < mul_div(hwm0, supply0 + 1, WAD, True) - 1
            note_event(f"settled a {'gain' if round_return > 0 else 'loss'} {'below' if below else 'at or above'} the mark")
        # inv 5: the group converted is the one of round + 1, at the price just settled
        for converted in tx.decode_logs(self.pool.RequestsConverted):
            assert converted.round == round_id + 1, "inv 5: a group converted in the wrong settlement"
            if converted.deposit_assets > 0 and converted.deposit_assets * (supply0 + 1) % (event.total_assets + 1):
                note_event("a deposit group converted with rounding")
        return outcome

    @rule(kind=st.sampled_from(("above-cap", "below-cap", "skip", "duplicate", "stale", "open", "not-settler")), seed=seeds)
    def settle_invalid(self, kind: str, seed: int) -> None:
        """Invariant 7: out-of-cap, out-of-order, duplicate and open-round settlements revert, changing nothing."""
        cap = min(self.factory_model.return_cap, MAX_RETURN_CAP)
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
        else:
            via = ("outsider", "owner", "guardian", "alice")[seed % 4]
        before = self.state()
        snapshot_model = self.model_fingerprint()
        outcome = self.settle_and_check(via, round_id, round_return, seed)
        assert outcome is REVERTED, f"inv 7: invalid settlement ({kind}) was accepted"
        assert self.model_fingerprint() == snapshot_model, "inv 7: a reverted settlement changed the model"
        after = self.state()
        changed = sorted(str(k) for k in after.keys() & before.keys() if after[k] != before[k])
        assert not changed, f"inv 7: a reverted settlement changed {changed}"

    def model_fingerprint(self) -> str:
        own = {k: v for k, v in self.model.__dict__.items() if k not in ("clock", "factory", "nmr")}
        return repr(own) + repr(self.model.nmr)

    # ---- time ----

    @rule(kind=st.sampled_from(("hours", "next-round", "next-round", "rounds", "stall")), n=st.integers(min_value=1, max_value=4))
    def advance_time(self, kind: str, n: int) -> None:
        schedule = self.factory_model.schedule
        self.head_ts = int(self.tester.get_block_by_number("latest")["timestamp"])
        current = schedule.round_at(self.head_ts)
        if kind == "hours":
            target = self.head_ts + n * 3_600
        elif kind == "next-round":
            target = schedule.round_start(current + 1) + 60
        elif kind == "rounds":
            target = schedule.round_start(current + 1 + n) + 60
        else:
            target = max(self.model.last_settled_at + self.factory_model.stall_gap, schedule.round_start(self.model.last_settled_round + 2)) + n
        target = max(target, self.head_ts + 1)
        self.env.chain.pending_timestamp = target
        self.env.chain.mine()
        self.head_ts = target
        self.version += 1

    # ---- owner, fees, limits ----

    @rule(sender=st.sampled_from(("owner", "owner", "outsider")), kind=st.sampled_from(("zero", "lower", "higher", "higher", "cap", "above-cap")), seed=seeds)
    def set_fee(self, sender: str, kind: str, seed: int) -> None:
        current, cap = self.model.fee_bps, self.factory_model.fee_cap_bps
        fee = {
            "zero": 0,
            "lower": seed % (current + 1),
            "higher": min(current + 1 + seed % 1_000, cap),
            "cap": cap,
            "above-cap": cap + 1,
        }[kind]
        before = self.model.fee_bps
        effective, _ = self.act(
            lambda: self.model.set_fee(self.addr[sender], fee),
            lambda: self.pool.set_fee(fee, sender=self.acct[sender]),
        )
        if effective not in (REVERTED, 0):
            self.fee_proposal = (self.model.current_round(), self.factory_model.fee_delay_rounds, before)
            assert effective > self.model.current_round(), "inv 12: fee increase scheduled for the open round"

    @rule(sender=st.sampled_from(("owner", "owner", "outsider")), receiver=st.sampled_from(("owner", "carol")))
    def claim_fees(self, sender: str, receiver: str) -> None:
        self.act(
            lambda: self.model.claim_fees(self.addr[sender], self.addr[receiver]),
            lambda: self.pool.claim_fees(self.addr[receiver], sender=self.acct[sender]),
        )

    @rule(sender=st.sampled_from(("owner", "owner", "outsider")), kind=st.sampled_from(("unlimited", "room", "tight", "zero")), seed=seeds)
    def set_deposit_limit(self, sender: str, kind: str, seed: int) -> None:
        used = self.model.total_assets + self.model.pending_deposit_assets
        limit = {"unlimited": 2**256 - 1, "room": used + seed % 10**21, "tight": used + seed % 10, "zero": 0}[kind]
        self.act(
            lambda: self.model.set_deposit_limit(self.addr[sender], limit),
            lambda: self.pool.set_deposit_limit(limit, sender=self.acct[sender]),
        )

    @rule(sender=st.sampled_from(("owner", "guardian", "outsider")), new_owner=st.sampled_from(("owner", "carol")), accept=st.booleans())
    def transfer_ownership(self, sender: str, new_owner: str, accept: bool) -> None:
        if accept:
            self.act(
                lambda: self.model.accept_ownership(self.addr[new_owner]),
                lambda: self.pool.accept_ownership(sender=self.acct[new_owner]),
            )
        else:
            self.act(
                lambda: self.model.transfer_ownership(self.addr[sender], self.addr[new_owner]),
                lambda: self.pool.transfer_ownership(self.addr[new_owner], sender=self.acct[sender]),
            )

    # ---- safety ----

    @rule(sender=st.sampled_from(("owner", "guardian", "outsider")), on=st.booleans())
    def pause(self, sender: str, on: bool) -> None:
        if on:
            self.act(lambda: self.model.pause(self.addr[sender]), lambda: self.pool.pause(sender=self.acct[sender]))
        else:
            self.act(lambda: self.model.unpause(self.addr[sender]), lambda: self.pool.unpause(sender=self.acct[sender]))

    @precondition(lambda self: self.steps >= 20)
    @rule(sender=st.sampled_from(("owner", "guardian", "outsider", "outsider")))
    def shutdown(self, sender: str) -> None:
        self.act(lambda: self.model.shutdown(self.addr[sender]), lambda: self.pool.shutdown(sender=self.acct[sender]))

    @rule(amount=st.sampled_from((1, 10**18, 123_456_789)))
    def donate(self, amount: int) -> None:
        """Invariant 10: NMR sent straight to the pool changes nobody's claim."""
        before = dict(self.state())
        self.act(
            lambda: self.model.nmr.transfer(self.addr["outsider"], self.pool.address, amount),
            lambda: self.env.nmr.transfer(self.pool.address, amount, sender=self.acct["outsider"]),
        )
        self.donated += amount
        after = self.state()
        changed = {k for k in after.keys() & before.keys() if after[k] != before[k]}
        allowed = {"nmr.balanceOf(pool)", ("outsider", "nmr.balanceOf")}
        assert changed <= allowed, f"inv 10: a donation changed {sorted(map(str, changed - allowed))}"
        self.views_due = True  # and every view (claims, prices) is compared right after

    @rule(kind=st.sampled_from(("max", "half", "zero")))
    def set_return_cap(self, kind: str) -> None:
        cap = {"max": MAX_RETURN_CAP, "half": MAX_RETURN_CAP // 2, "zero": 0}[kind]
        self.act(
            lambda: self.factory_model.set_return_cap(self.addr["deployer"], cap),
            lambda: self.env.factory.set_return_cap(cap, sender=self.acct["deployer"]),
        )

    @rule(
        function=st.sampled_from(("settle", "set_fee", "claim_fees", "set_deposit_limit", "pause", "unpause", "shutdown", "transfer_ownership", "initialize", "set_stall_gap")),
        sender=st.sampled_from(("alice", "erin", "outsider", "settler", "guardian")),
    )
    def unauthorized(self, function: str, sender: str) -> None:
        """Invariant 11: each privileged function refuses the wrong role, with its message."""
        a, s = self.addr[sender], self.acct[sender]
        is_owner = a == self.model.owner
        calls = {
            "settle": (not self.factory_model.is_settler(a), "pool: not settler", lambda: self.pool.settle(self.model.last_settled_round + 1, 0, b"\0" * 32, sender=s)),
            "set_fee": (not is_owner, "ownable: caller is not the owner", lambda: self.pool.set_fee(0, sender=s)),
            "claim_fees": (not is_owner, "ownable: caller is not the owner", lambda: self.pool.claim_fees(a, sender=s)),
            "set_deposit_limit": (not is_owner, "ownable: caller is not the owner", lambda: self.pool.set_deposit_limit(0, sender=s)),
            "pause": (not is_owner and not self.factory_model.is_guardian(a) and not self.model.paused, "pool: not owner or guardian", lambda: self.pool.pause(sender=s)),
            "unpause": (not is_owner and not self.factory_model.is_guardian(a) and self.model.paused, "pool: not owner or guardian", lambda: self.pool.unpause(sender=s)),
            "shutdown": (
                not is_owner and not self.factory_model.is_guardian(a) and not self.model.is_shutdown and not self.model.is_stalled(),
                "pool: not owner or guardian",
                lambda: self.pool.shutdown(sender=s),
            ),
            "transfer_ownership": (not is_owner, "ownable: caller is not the owner", lambda: self.pool.transfer_ownership(a, sender=s)),
            "initialize": (True, "pool: already initialized", lambda: self.pool.initialize(a, b"\x01" * 32, "x", "x", 0, sender=s)),
            "set_stall_gap": (a not in self.factory_model.admins, "factory: not admin", lambda: self.env.factory.set_stall_gap(10**9, sender=s)),
        }
        applies, message, call = calls[function]
        if not applies:
            return
        self.version += 1
        with ape.reverts(message):
            call()

    # ---- compound scenarios ----

    @precondition(lambda self: not self.model.is_shutdown and not self.model.paused and self.model.is_converted(self.model.current_round()))
    @rule(actor=delegators, kind=st.sampled_from(("one", "few", "part", "big")), seed=seeds, claim_in=st.sampled_from(("deposit", "mint", "split")), claim_out=st.sampled_from(("redeem", "withdraw", "split")))
    def round_trip(self, actor: str, kind: str, seed: int, claim_in: str, claim_out: str) -> None:
        """Invariant 9: deposit, claim, redeem, claim with no settlement between never makes NMR."""
        a = self.addr[actor]
        # what the actor was owed already is no part of the trip: claim it first
        self.claim_all(actor, "mint", split=False)
        self.claim_all(actor, "withdraw", split=False)
        nmr_before = self.model.nmr.balance_of(a)
        shares_before = self.model.balance_of(a)
        assets = min(pick_amount(kind, seed, nmr_before), nmr_before)
        if assets == 0 or self.model.total_assets + self.model.pending_deposit_assets + assets > self.model.deposit_limit:
            return
        self.act(lambda: self.model.request_deposit(a, assets, a, a), lambda: self.pool.requestDeposit(assets, a, a, sender=self.acct[actor]))
        self.claim_all(actor, "deposit" if claim_in == "split" else claim_in, split=claim_in == "split")
        got = self.model.balance_of(a) - shares_before
        if got > 0:
            self.act(lambda: self.model.request_redeem(a, got, a, a), lambda: self.pool.requestRedeem(got, a, a, sender=self.acct[actor]))
            self.claim_all(actor, "redeem" if claim_out == "split" else claim_out, split=claim_out == "split")
        assert self.model.nmr.balance_of(a) <= nmr_before, "inv 9: a round trip ended with more NMR than put in"
        assert self.observe()[(actor, "nmr.balanceOf")] <= nmr_before, "inv 9: a round trip ended with more NMR than put in (chain)"

    def claim_all(self, actor: str, style: str, split: bool) -> None:
        a, s = self.addr[actor], self.acct[actor]
        for part in ((2, 1) if split else (1,)):
            if style in ("deposit", "mint"):
                maximum = self.model.max_deposit(a) if style == "deposit" else self.model.max_mint(a)
                amount = maximum // part
                if amount == 0:
                    continue
                if style == "deposit":
                    self.act(lambda: self.model.deposit(a, amount, a, a), lambda: self.pool.deposit(amount, a, a, sender=s))
                else:
                    self.act(lambda: self.model.mint(a, amount, a, a), lambda: self.pool.mint(amount, a, a, sender=s))
            else:
                maximum = self.model.max_redeem(a) if style == "redeem" else self.model.max_withdraw(a)
                amount = maximum // part
                if amount == 0:
                    continue
                if style == "redeem":
                    self.act(lambda: self.model.redeem(a, amount, a, a), lambda: self.pool.redeem(amount, a, a, sender=s))
                else:
                    self.act(lambda: self.model.withdraw(a, amount, a, a), lambda: self.pool.withdraw(amount, a, a, sender=s))

    @precondition(lambda self: self.model.paused)
    @rule(actor=delegators, seed=seeds)
    def redeem_while_paused(self, actor: str, seed: int) -> None:
        """Invariant 8: pausing never blocks a redemption or a claim."""
        a, s = self.addr[actor], self.acct[actor]
        shares = self.model.balance_of(a)
        if shares > 0:
            part = 1 + seed % shares
            result, _ = self.act(lambda: self.model.request_redeem(a, part, a, a), lambda: self.pool.requestRedeem(part, a, a, sender=s))
            assert result is not REVERTED, "inv 8: a redemption was blocked while paused"
        if self.model.max_mint(a) > 0:
            self.claim_all(actor, "mint", split=False)
            assert self.model.max_mint(a) == 0, "inv 8: a deposit claim was blocked while paused"
        if self.model.max_withdraw(a) > 0:
            self.claim_all(actor, "withdraw", split=False)
            assert self.model.max_withdraw(a) == 0, "inv 8: a redemption claim was blocked while paused"

    @precondition(lambda self: self.model.is_shutdown)
    @rule(actor=delegators)
    def exit_after_shutdown(self, actor: str) -> None:
        """Invariant 8: after shutdown every holder gets out in full, at the last price."""
        a, s = self.addr[actor], self.acct[actor]
        for redeem_side in (False, True):
            for request_id, _ in self.model.pending_requests(a, redeem_side):
                if redeem_side:
                    self.act(lambda: self.model.cancel_redeem_request(a, request_id, a, a), lambda: self.pool.cancelRedeemRequest(request_id, a, a, sender=s))
                else:
                    self.act(lambda: self.model.cancel_deposit_request(a, request_id, a, a), lambda: self.pool.cancelDepositRequest(request_id, a, a, sender=s))
        if self.model.max_mint(a) > 0:
            self.claim_all(actor, "mint", split=False)
        self.claim_all(actor, "withdraw", split=False)
        shares = self.model.balance_of(a)
        if shares > 0:
            price_assets = self.model.convert_to_assets(shares)
            nmr_before = self.model.nmr.balance_of(a)
            self.act(lambda: self.model.request_redeem(a, shares, a, a), lambda: self.pool.requestRedeem(shares, a, a, sender=s))
            self.claim_all(actor, "redeem", split=False)
            assert self.model.nmr.balance_of(a) - nmr_before == price_assets, "inv 8: exit not paid at the last price"
        view = self.observe()
        assert view[(actor, "balanceOf")] == 0, "inv 8: shares left after a full exit in shutdown"
        for field in ("maxDeposit", "maxMint", "maxRedeem", "maxWithdraw"):
            if field == "maxDeposit" and view[(actor, "maxMint")] == 0:
                continue  # a fully claimed deposit may leave NMR-side dust that buys no share
            assert view[(actor, field)] == 0, f"inv 8: {field} left after a full exit in shutdown"
        assert view[(actor, "pending_requests", "deposit")] == () and view[(actor, "pending_requests", "redeem")] == (), (
            "inv 8: pending requests left after a full exit in shutdown"
        )

    # ---- invariants ----

    @invariant()
    def count_step(self) -> None:
        self.steps += 1
        self.totals["steps"] += 1

    @invariant()
    def chain_matches_model(self) -> None:
        """Every stored balance, claim, queue entry and group equals the model's; every view too
        (all views each VIEW_EVERY steps and after each settlement: view calls are slow)."""
        diffs = differences(self.state(), read_model_storage(self.layout, self.model, self.env.treasury.address))
        assert not diffs, "chain storage and model differ:\n  " + "\n  ".join(diffs)
        if self.steps % VIEW_EVERY == 0 or self.settled_in_step or self.views_due:
            self.views_due = False
            view = self.observe()
            assert view["block.timestamp"] == self.clock.timestamp, "clock out of step with the chain"
            diffs = differences(view, read_model(self.model, self.env.treasury.address, self.layout))
            assert not diffs, "chain views and model differ:\n  " + "\n  ".join(diffs)

    @invariant()
    def nmr_is_accounted_for(self) -> None:
        v = self.state()
        held = v["total_assets"] + v["pending_deposit_assets"] + v["reserved_redeem_assets"] + v["fees_owed"]
        assert v["nmr.balanceOf(pool)"] == held + self.donated, (
            f"inv 1: pool holds {v['nmr.balanceOf(pool)']} NMR, accounts for {held} + donations {self.donated}"
        )

    @invariant()
    def shares_add_up(self) -> None:
        v = self.state()
        total = v["erc20.balanceOf(pool)"] + sum(v[(name, "erc20.balanceOf")] for name in self.addr)
        assert total == v["erc20.totalSupply"], f"inv 2: balances sum to {total}, totalSupply is {v['erc20.totalSupply']}"
        owed = v["pending_redeem_shares"] + sum(v[(n, "_claimable_deposit_shares")] for n in DELEGATORS)
        assert v["erc20.balanceOf(pool)"] >= owed, "inv 2: the pool holds fewer shares than it owes"

    @invariant()
    def price_moves_only_in_settlement(self) -> None:
        v = self.state()
        assets, supply = v["total_assets"], v["erc20.totalSupply"]
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
                assert price - self.prev_price <= bound, "inv 4: price rose by more than rounding outside settlement"
        assert v["high_water_mark"] >= self.prev_hwm, "inv 6: high-water mark decreased"
        self.prev_price, self.prev_hwm = price, v["high_water_mark"]
        self.prev_assets_supply = (assets, supply)


def test_pool_against_model(pool_env: PoolEnv, request: Any) -> None:
    PoolMachine.env = pool_env
    PoolMachine.totals = Counter()
    try:  # `--hypothesis-show-statistics` (the plugin only collects them for `@given` tests)
        from hypothesis.statistics import collector, describe_statistics
    except ImportError:  # pragma: no cover - a hypothesis without the (private) collector
        run_state_machine_as_test(PoolMachine, settings=stateful_settings())
        return

    def note(stats: dict[str, Any]) -> None:
        totals = ", ".join(f"{k}={v}" for k, v in sorted(PoolMachine.totals.items()))
        text = describe_statistics({**stats, "nodeid": request.node.nodeid})
        request.node.hypothesis_statistics = f"{text}\n  - machine totals (all phases): {totals}"

    with collector.with_value(note):
        run_state_machine_as_test(PoolMachine, settings=stateful_settings())
