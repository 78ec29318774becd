"""Reference model of one `DelegationPool`: the same state, checks, messages and integer rounding.

Each method named after a contract function takes the caller (`sender`, the contract's
`msg.sender`) first and either returns what the contract returns or raises `ModelRevert` with
the contract's revert message, leaving the model unchanged (a reverted call changes nothing).
`block.timestamp` is read from the shared `Clock`.

The accounting (DESIGN.md §4–§5), in the contract's units (NMR wei, share wei, WAD):

    shares = floor(assets * (supply + 1) / (total_assets + 1))      conversions round down
    assets = floor(shares * (total_assets + 1) / (supply + 1))
    price  = floor(1e18 * (total_assets + 1) / (supply + 1))

- A request made while round `o` is open joins group `o`. It converts at once when the pool
  is caught up (`o <= last_settled_round + 1`; a redemption also once closed), otherwise
  right after `settle(o - 1)`: deposits first, then redemptions, at the price just settled.
  While winding down to round `s`, a redemption made later joins group `s + 1`.
- `settle(r, x)` with `|x| <= cap`, `r == last_settled_round + 1`, `r` closed, pool open: first
  what the treasury still owes is collected (credited like a gain), then
      gain:  gain = floor(A * x / 1e18), paid = min(gain, treasury), owed += gain - paid,
             fee = performance_fee(A, A + paid), A' = A + paid - fee
      loss:  burned = ceil(A * |x| / 1e18),                                   A' = A - burned
  then `high_water_mark = min(max(high_water_mark, price), 2**128 - 1)` (its field's width)
  and group `r + 1` converts (its deposits only if the price is at least MIN_PRICE; below it
  the pool closes as depleted).
  Settling a winding-down pool's last round closes it.
- A controller's part of a converted group: `floor(amount * group_out / group_in)`; claims
  take part of the claimable totals: deposit/redeem round the payout down, mint/withdraw
  round the claim used up, so partial claims never pay more than the whole.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from nmr_pools.model.errors import require
from nmr_pools.model.factory import MAX_RETURN_CAP, FactoryModel
from nmr_pools.model.fixed_point import (
    WAD,
    mul_div,
    performance_fee,
    price_per_share,
    raised_mark,
    to_assets,
    to_shares,
)
from nmr_pools.model.ledger import ZERO_ADDRESS, TokenLedger
from nmr_pools.model.previews import GroupConversion, RequestPreview, SettleOutcome
from nmr_pools.model.queue import INLINE, RequestQueue
from nmr_pools.model.schedule import Clock

DEPOSIT_SIDE = 0
REDEEM_SIDE = 1
# the deposit limit's stored width: all ones means unlimited (the view then says 2**256 - 1)
UNLIMITED = 2**96 - 1
# no deposit converts below this price (WAD: 1e-6 NMR per share); below it the pool closes
MIN_PRICE = 10**12
# the contract's Closure flag: why a pool closed (0 while open)
WOUND_DOWN, EMERGENCY_EXIT, DEPLETED = 1, 2, 4

_Result = TypeVar("_Result")

# attributes shared with the factory/treasury context: not part of the pool's own state
_SHARED = ("factory", "nmr", "clock")


def _transaction(method: Callable[..., _Result]) -> Callable[..., _Result]:
    """Run `method` all or nothing: on a revert, put the pool and NMR balances back."""

    @wraps(method)
    def run(self: PoolModel, *args: Any, **kwargs: Any) -> _Result:
        saved_pool = {k: copy.deepcopy(v) for k, v in self.__dict__.items() if k not in _SHARED}
        saved_nmr = self.nmr.snapshot()
        try:
            result = method(self, *args, **kwargs)
            self._check_fields()
            return result
        except BaseException:
            self.__dict__.update(saved_pool)
            self.nmr.restore(saved_nmr)
            raise

    return run


class PoolModel:
    """One pool, as `DelegationPool.vy` keeps it (storage names match the contract's)."""

    def __init__(
        self,
        *,
        address: str,
        factory: FactoryModel,
        clock: Clock,
        owner: str,
        fee_bps: int,
        model_id: bytes = b"",
        model_name: str = "",
    ) -> None:
        """The state `initialize` leaves: caught up, price 1, high-water mark 1e18."""
        require(fee_bps <= factory.fee_cap_bps, "pool: fee above cap")
        self.factory = factory
        self.nmr = factory.nmr
        self.clock = clock
        self.address = address
        self.model_id = model_id
        # the share token is "NMR Pool <model name>" / "np<model name>"
        self.model_name = model_name
        self.shares = TokenLedger()
        self.owner = owner
        self.pending_owner = ZERO_ADDRESS
        # accounting
        self.total_assets = 0
        self.pending_deposit_assets = 0
        self.pending_redeem_shares = 0
        # converted deposits not claimed yet: counted in the supply, minted when claimed
        self.unclaimed_deposit_shares = 0
        self.reserved_redeem_assets = 0
        self.fees_owed = 0
        self.last_settled_round = self.current_round() - 1
        self.treasury_owed = 0
        self.high_water_mark = WAD
        # request groups, keyed by the round the requests were made in
        self.deposit_group_assets: dict[int, int] = {}
        self.deposit_group_shares: dict[int, int] = {}
        self.redeem_group_shares: dict[int, int] = {}
        self.redeem_group_assets: dict[int, int] = {}
        # per controller
        self.queues: dict[tuple[str, int], RequestQueue] = {}
        self.claimable_deposit_assets: dict[str, int] = {}
        self.claimable_deposit_shares: dict[str, int] = {}
        self.claimable_redeem_shares: dict[str, int] = {}
        self.claimable_redeem_assets: dict[str, int] = {}
        self.operators: set[tuple[str, str]] = set()
        # owner settings and safety
        self.fee_bps = fee_bps
        self.pending_fee_bps = 0
        self.pending_fee_round = 0
        self.deposit_limit = UNLIMITED
        self.paused = False
        self.wind_down_round = 0
        self.closure = 0

    # ---- the contract's packed words: every field must fit its width (it asserts so) ----

    def _check_fields(self) -> None:
        widths = [
            (self.total_assets, 85),
            (self.pending_deposit_assets, 85),
            (self.reserved_redeem_assets, 85),
            (self.share_supply(), 105),
            (self.pending_redeem_shares, 105),
            (self.last_settled_round, 40),
            (self.fees_owed, 85),
            (self.treasury_owed, 128),
            (self.high_water_mark, 128),
            (self.fee_bps, 16),
            (self.pending_fee_bps, 16),
            (self.pending_fee_round, 40),
            (self.wind_down_round, 40),
        ]
        # a group's requested side is 127 bits (its word's top bit says it converted)
        widths += [(value, 127) for value in self.deposit_group_assets.values()]
        widths += [(value, 127) for value in self.redeem_group_shares.values()]
        widths += [(value, 128) for value in self.deposit_group_shares.values()]
        widths += [(value, 128) for value in self.redeem_group_assets.values()]
        for table in (
            self.claimable_deposit_assets,
            self.claimable_deposit_shares,
            self.claimable_redeem_shares,
            self.claimable_redeem_assets,
        ):
            widths += [(value, 112) for value in table.values()]
        for (_, side), queue in self.queues.items():
            widths += [(queue.head, 16), (queue.tail, 16)]
            widths += [(part, 128) for entry in queue.entries for part in entry]
            inline = INLINE[side]
            for entry_round, amount in queue.inline_entries(side):
                widths += [(entry_round, inline.round_bits), (amount, inline.amount_bits)]
        for value, bits in widths:
            require(value < 1 << bits, "pool: value too large for its packed field")

    # ---- time and roles ----

    def current_round(self) -> int:
        return self.factory.schedule.round_at(self.clock.timestamp)

    @property
    def is_closed(self) -> bool:
        return self.closure != 0

    def is_converted(self, request_round: int, side: int = REDEEM_SIDE) -> bool:
        """The group of round `r` converts right after round `r - 1` is settled (the deposits
        of the group a depleting settlement skipped never convert)."""
        if side == DEPOSIT_SIDE and self.closure == DEPLETED:
            return request_round <= self.last_settled_round
        return request_round <= self.last_settled_round + 1

    def is_stalled(self) -> bool:
        """The next round closed more than the stall gap ago and is still unsettled."""
        next_round_closed_at = self.factory.schedule.round_start(self.last_settled_round + 2)
        return self.clock.timestamp >= next_round_closed_at + self.factory.stall_gap

    def is_operator(self, controller: str, operator: str) -> bool:
        return (controller, operator) in self.operators

    def _check_caller_for(self, sender: str, account: str) -> None:
        require(sender == account or self.is_operator(account, sender), "pool: not controller or operator")

    def _check_owner(self, sender: str) -> None:
        require(sender == self.owner, "ownable: caller is not the owner")

    def _check_owner_or_guardian(self, sender: str) -> None:
        require(sender == self.owner or self.factory.is_guardian(sender), "pool: not owner or guardian")

    # ---- conversions at the current price ----

    def share_supply(self) -> int:
        """The shares the price counts: in circulation, converted but not claimed (not minted
        yet), and locked in pending redemptions (burned at request)."""
        return self.shares.total_supply + self.unclaimed_deposit_shares + self.pending_redeem_shares

    def convert_to_shares(self, assets: int) -> int:
        return to_shares(assets, self.total_assets, self.share_supply(), False)

    def convert_to_assets(self, shares: int) -> int:
        return to_assets(shares, self.total_assets, self.share_supply(), False)

    def price_per_share(self) -> int:
        # round down: the price never overstates what a share is worth
        return price_per_share(self.total_assets, self.share_supply())

    # ---- ERC-7540 operators ----

    @_transaction
    def set_operator(self, sender: str, operator: str, approved: bool) -> bool:
        require(operator != ZERO_ADDRESS, "pool: zero operator")
        require(operator != sender, "pool: cannot be own operator")
        if approved:
            self.operators.add((sender, operator))
        else:
            self.operators.discard((sender, operator))
        return True

    # ---- requests ----

    @_transaction
    def request_deposit(self, sender: str, assets: int, controller: str, owner: str) -> int:
        """Move `assets` NMR of `owner` in; returns the request id (the current round)."""
        require(not self.is_closed, "pool: closed")
        require(self.wind_down_round == 0, "pool: winding down")
        require(not self.paused, "pool: paused")
        require(assets > 0, "pool: zero assets")
        require(controller != ZERO_ADDRESS, "pool: zero controller")
        self._check_caller_for(sender, owner)
        self._check_caller_for(sender, controller)
        require(
            self.deposit_limit == UNLIMITED
            or self.total_assets + self.pending_deposit_assets + assets <= self.deposit_limit,
            "pool: deposit limit exceeded",
        )
        self.nmr.transfer_from(self.address, owner, self.address, assets)

        request_round = self.current_round()
        self._checkpoint_deposits(controller)
        if self.is_converted(request_round, DEPOSIT_SIDE):
            # caught up: convert now; round down: dust stays in the pool
            shares = self.convert_to_shares(assets)
            self.total_assets += assets
            self.unclaimed_deposit_shares += shares
            _add(self.claimable_deposit_assets, controller, assets)
            _add(self.claimable_deposit_shares, controller, shares)
        else:
            self._queue(controller, DEPOSIT_SIDE).enqueue(request_round, assets)
            _add(self.deposit_group_assets, request_round, assets)
            self.pending_deposit_assets += assets
        return request_round

    @_transaction
    def request_redeem(self, sender: str, shares: int, controller: str, owner: str) -> int:
        """Lock `shares` of `owner`; returns the request id (the round whose group it joined)."""
        require(shares > 0, "pool: zero shares")
        require(controller != ZERO_ADDRESS, "pool: zero controller")
        self._check_caller_for(sender, controller)
        if owner != sender and not self.is_operator(owner, sender):
            self.shares.spend_allowance(owner, sender, shares)
        # checked before converting: the shares are priced while they still count (burned below)
        require(self.shares.balance_of(owner) >= shares, "erc20: burn amount exceeds balance")

        request_round = self.redeem_group_now()
        self._checkpoint_redemptions(controller)
        if self.is_closed or self.is_converted(request_round, REDEEM_SIDE):
            # convert now at the current price (the shares still count); round down
            assets = self.convert_to_assets(shares)
            self.total_assets -= assets
            self.reserved_redeem_assets += assets
            _add(self.claimable_redeem_shares, controller, shares)
            _add(self.claimable_redeem_assets, controller, assets)
        else:
            self._queue(controller, REDEEM_SIDE).enqueue(request_round, shares)
            _add(self.redeem_group_shares, request_round, shares)
            self.pending_redeem_shares += shares
        # the shares leave circulation now (pending ones are counted until they convert)
        self.shares.burn(owner, shares)
        return request_round

    @_transaction
    def cancel_deposit_request(self, sender: str, request_id: int, controller: str, receiver: str) -> int:
        """Take back a pending deposit in full; returns the NMR sent to `receiver`."""
        self._check_caller_for(sender, controller)
        require(receiver != ZERO_ADDRESS, "pool: zero receiver")
        assets = self._cancel(controller, DEPOSIT_SIDE, request_id)
        self.deposit_group_assets[request_id] -= assets
        self.pending_deposit_assets -= assets
        self.nmr.move(self.address, receiver, assets)
        return assets

    @_transaction
    def cancel_redeem_request(self, sender: str, request_id: int, controller: str, receiver: str) -> int:
        """Take back the shares of a pending redemption; returns the shares sent to `receiver`."""
        self._check_caller_for(sender, controller)
        require(receiver != ZERO_ADDRESS, "pool: zero receiver")
        shares = self._cancel(controller, REDEEM_SIDE, request_id)
        self.redeem_group_shares[request_id] -= shares
        self.pending_redeem_shares -= shares
        self.shares.mint(receiver, shares)
        return shares

    def _cancel(self, controller: str, side: int, request_id: int) -> int:
        if not self.is_closed:
            require(request_id == self.current_round(), "pool: round closed, cannot cancel")
        require(not self.is_converted(request_id, side), "pool: request already converted")
        return self._queue(controller, side).cancel(request_id)

    # ---- claims ----

    @_transaction
    def deposit(self, sender: str, assets: int, receiver: str, controller: str | None = None) -> int:
        """Claim the shares bought by `assets` of the claimable deposit; returns the shares."""
        require(assets > 0, "pool: zero assets")
        return self._claim(
            sender, DEPOSIT_SIDE, assets, True, receiver, sender if controller is None else controller
        )

    @_transaction
    def mint(self, sender: str, shares: int, receiver: str, controller: str | None = None) -> int:
        """Claim `shares` of the claimable deposit; returns the claimable NMR used up."""
        require(shares > 0, "pool: zero shares")
        return self._claim(
            sender, DEPOSIT_SIDE, shares, False, receiver, sender if controller is None else controller
        )

    @_transaction
    def redeem(self, sender: str, shares: int, receiver: str, controller: str) -> int:
        """Claim the NMR of `shares` of the claimable redemption; returns the NMR."""
        require(shares > 0, "pool: zero shares")
        return self._claim(sender, REDEEM_SIDE, shares, True, receiver, controller)

    @_transaction
    def withdraw(self, sender: str, assets: int, receiver: str, controller: str) -> int:
        """Claim `assets` NMR of the claimable redemption; returns the redeemed shares used up."""
        require(assets > 0, "pool: zero assets")
        return self._claim(sender, REDEEM_SIDE, assets, False, receiver, controller)

    def _claim(
        self, sender: str, side: int, amount: int, amount_is_in: bool, receiver: str, controller: str
    ) -> int:
        """Pay `amount` of the claimable pair's "in" side (NMR of a deposit, shares of a
        redemption) or of its "out" side; returns the other side's amount.

        A partial claim rounds the other side down when the amount is of the "in" side, up when
        it is of the "out" side, so partial claims never pay more than the whole.
        """
        self._check_caller_for(sender, controller)
        require(receiver != ZERO_ADDRESS, "pool: zero receiver")
        if side == DEPOSIT_SIDE:
            self._checkpoint_deposits(controller)
            ins, outs = self.claimable_deposit_assets, self.claimable_deposit_shares
        else:
            self._checkpoint_redemptions(controller)
            ins, outs = self.claimable_redeem_shares, self.claimable_redeem_assets
        claim_in, claim_out = ins.get(controller, 0), outs.get(controller, 0)
        used_in = used_out = amount
        if amount_is_in:
            require(amount <= claim_in, "pool: more than claimable")
            used_out = claim_out if amount == claim_in else mul_div(amount, claim_out, claim_in, False)
        else:
            require(amount <= claim_out, "pool: more than claimable")
            used_in = claim_in if amount == claim_out else mul_div(amount, claim_in, claim_out, True)
        ins[controller] = claim_in - used_in
        outs[controller] = claim_out - used_out
        if side == DEPOSIT_SIDE:
            # the shares bought are minted to the receiver now
            self.unclaimed_deposit_shares -= used_out
            self.shares.mint(receiver, used_out)
        else:
            self.reserved_redeem_assets -= used_out
            self.nmr.move(self.address, receiver, used_out)
        return used_out if amount_is_in else used_in

    # ---- settlement ----

    @_transaction
    def settle(self, sender: str, round_id: int, round_return: int, results_digest: bytes) -> SettleOutcome:
        """Apply `round_return` (signed WAD) to round `round_id`, then convert group `round_id + 1`.

        Only the factory calls it (`FactoryModel.settle` checks the settler and passes its caps).
        """
        require(sender == self.factory.address, "pool: not the factory")
        require(not self.is_closed, "pool: closed")
        require(round_id == self.last_settled_round + 1, "pool: not the next round")
        require(round_id < self.current_round(), "pool: round not closed")
        return self._settle(round_id, round_return, results_digest)

    def _settle(self, round_id: int, round_return: int, results_digest: bytes) -> SettleOutcome:
        require(abs(round_return) <= min(self.factory.return_cap, MAX_RETURN_CAP), "pool: return above cap")
        fee_bps = self._apply_due_fee_increase(round_id)
        # what the treasury owes from earlier rounds is credited first
        collected = self._collect_owed(fee_bps)
        assets_before = self.total_assets
        assets = assets_before
        paid = unpaid = burned = fee = 0
        if round_return > 0:
            # round down: the pool never draws more than earned
            gain = mul_div(assets_before, round_return, WAD, False)
            paid = self.factory.pay(self.address, gain)
            unpaid = gain - paid
            self.treasury_owed += unpaid
            fee = performance_fee(
                assets_before, assets_before + paid, fee_bps, self.high_water_mark, self.share_supply()
            )
            assets = assets_before + paid - fee
            self.fees_owed += fee
        elif round_return < 0:
            # round up: a loss is never understated
            burned = mul_div(assets_before, -round_return, WAD, True)
            assets = assets_before - burned
            if burned > 0:
                require(self.nmr.burn_own(self.address, burned), "pool: NMR burn failed")
        self.total_assets = assets
        price = self.price_per_share()
        self.high_water_mark = raised_mark(self.high_water_mark, price)
        self.last_settled_round = round_id
        depleted = price < MIN_PRICE
        conversion = self._convert_groups(round_id + 1, convert_deposits=not depleted)
        if depleted:
            self.closure = DEPLETED
        elif round_id == self.wind_down_round:
            self.closure = WOUND_DOWN
        return SettleOutcome(
            round=round_id,
            round_return=round_return,
            paid=paid,
            unpaid=unpaid,
            burned=burned,
            fee=fee,
            fee_bps=fee_bps,
            collected=collected,
            total_assets=assets,
            price_per_share=price,
            high_water_mark=self.high_water_mark,
            conversion=conversion,
        )

    @_transaction
    def collect_owed(self, sender: str) -> int:
        """Draw what the treasury owes, as far as it can pay now (anyone may call it)."""
        require(self.treasury_owed > 0, "pool: nothing owed")
        return self._collect_owed(min(self.fee_bps, self.factory.fee_cap_bps))

    def _collect_owed(self, fee_bps: int) -> int:
        """Credit what the treasury can pay of what it owes, charging the fee above the mark."""
        if self.treasury_owed == 0:
            return 0
        amount = self.factory.pay(self.address, self.treasury_owed)
        if amount == 0:
            return 0
        self.treasury_owed -= amount
        assets_before = self.total_assets
        fee = performance_fee(
            assets_before, assets_before + amount, fee_bps, self.high_water_mark, self.share_supply()
        )
        self.total_assets = assets_before + amount - fee
        self.fees_owed += fee
        self.high_water_mark = raised_mark(self.high_water_mark, self.price_per_share())
        return amount

    def _apply_due_fee_increase(self, round_id: int) -> int:
        """A proposed increase applies from its effective round on (lazily, at settlement); the
        fee charged never exceeds the factory's cap in force."""
        if self.pending_fee_round != 0 and round_id >= self.pending_fee_round:
            self.fee_bps = self.pending_fee_bps
            self.pending_fee_bps = 0
            self.pending_fee_round = 0
        return min(self.fee_bps, self.factory.fee_cap_bps)

    def _convert_groups(self, request_round: int, convert_deposits: bool = True) -> GroupConversion:
        """Deposits first (unless the pool depleted), then redemptions, at the price just settled; round down."""
        deposit_assets = self.deposit_group_assets.get(request_round, 0) if convert_deposits else 0
        deposit_shares = 0
        if deposit_assets > 0:
            deposit_shares = self.convert_to_shares(deposit_assets)
            self.total_assets += deposit_assets
            self.pending_deposit_assets -= deposit_assets
            self.deposit_group_shares[request_round] = deposit_shares
            self.unclaimed_deposit_shares += deposit_shares
        redeem_shares = self.redeem_group_shares.get(request_round, 0)
        redeem_assets = 0
        if redeem_shares > 0:
            redeem_assets = self.convert_to_assets(redeem_shares)
            self.total_assets -= redeem_assets
            self.pending_redeem_shares -= redeem_shares
            self.reserved_redeem_assets += redeem_assets
            self.redeem_group_assets[request_round] = redeem_assets
        return GroupConversion(request_round, deposit_assets, deposit_shares, redeem_shares, redeem_assets)

    # ---- owner ----

    @_transaction
    def set_fee(self, sender: str, fee_bps: int) -> int:
        """Decrease at once; an increase applies from round `current + fee_delay_rounds`.

        Returns the round the new fee applies from (0 for an immediate decrease).
        """
        self._check_owner(sender)
        require(fee_bps <= self.factory.fee_cap_bps, "pool: fee above cap")
        if fee_bps <= self.fee_bps:
            self.fee_bps = fee_bps
            self.pending_fee_bps = 0
            self.pending_fee_round = 0
            return 0
        self.pending_fee_bps = fee_bps
        self.pending_fee_round = self.current_round() + self.factory.fee_delay_rounds
        return self.pending_fee_round

    @_transaction
    def claim_fees(self, sender: str, receiver: str) -> int:
        self._check_owner(sender)
        require(receiver != ZERO_ADDRESS, "pool: zero receiver")
        amount = self.fees_owed
        require(amount > 0, "pool: no fees owed")
        self.fees_owed = 0
        self.nmr.move(self.address, receiver, amount)
        return amount

    @_transaction
    def set_deposit_limit(self, sender: str, deposit_limit: int) -> None:
        """Limits of 2**96 - 1 NMR wei and above are stored as "unlimited" (the field's width)."""
        self._check_owner(sender)
        self.deposit_limit = min(deposit_limit, UNLIMITED)

    @_transaction
    def transfer_ownership(self, sender: str, new_owner: str) -> None:
        self._check_owner(sender)
        self.pending_owner = new_owner

    @_transaction
    def accept_ownership(self, sender: str) -> None:
        require(self.pending_owner == sender, "ownable_2step: caller is not the new owner")
        self.pending_owner = ZERO_ADDRESS
        self.owner = sender

    # ---- safety ----

    @_transaction
    def pause(self, sender: str) -> None:
        self._check_owner_or_guardian(sender)
        require(not self.paused, "pool: already paused")
        self.paused = True

    @_transaction
    def unpause(self, sender: str) -> None:
        self._check_owner_or_guardian(sender)
        require(self.paused, "pool: not paused")
        self.paused = False

    @_transaction
    def wind_down(self, sender: str) -> int:
        """Owner or guardian: no new deposits; the round open now is the last one played."""
        self._check_owner_or_guardian(sender)
        require(not self.is_closed, "pool: closed")
        require(self.wind_down_round == 0, "pool: already winding down")
        self.wind_down_round = self.current_round()
        return self.wind_down_round

    @_transaction
    def emergency_exit(self, sender: str) -> None:
        """Anyone, once stalled: close the pool, forfeiting the unsettled rounds."""
        require(not self.is_closed, "pool: closed")
        require(self.is_stalled(), "pool: not stalled")
        self.closure = EMERGENCY_EXIT

    # ---- shares as an ERC-20 (balances only; no effect on the accounting) ----

    @_transaction
    def transfer(self, sender: str, to: str, amount: int) -> bool:
        return self.shares.transfer(sender, to, amount)

    @_transaction
    def transfer_from(self, sender: str, owner: str, to: str, amount: int) -> bool:
        return self.shares.transfer_from(sender, owner, to, amount)

    @_transaction
    def approve(self, sender: str, spender: str, amount: int) -> bool:
        return self.shares.approve(sender, spender, amount)

    def balance_of(self, account: str) -> int:
        return self.shares.balance_of(account)

    def total_supply(self) -> int:
        return self.shares.total_supply

    # ---- per-controller queues ----

    def _queue(self, controller: str, side: int) -> RequestQueue:
        return self.queues.setdefault((controller, side), RequestQueue())

    def _scan(self, controller: str, side: int) -> tuple[int, int, int]:
        """The converted prefix: (entries, amount requested, amount it converted to).

        Each entry gets `floor(amount * group_out / group_in)`; group dust stays in the pool.
        """
        queue = self.queues.get((controller, side))
        if queue is None:
            return 0, 0, 0
        prefix = queue.converted_prefix(lambda r: self.is_converted(r, side))
        total_in = total_out = 0
        for entry_round, amount in prefix:
            if amount == 0:
                continue
            total_in += amount
            if side == DEPOSIT_SIDE:
                group_in = self.deposit_group_assets[entry_round]
                group_out = self.deposit_group_shares.get(entry_round, 0)
                total_out += mul_div(amount, group_out, group_in, False)
            else:
                group_in = self.redeem_group_shares[entry_round]
                group_out = self.redeem_group_assets.get(entry_round, 0)
                total_out += mul_div(amount, group_out, group_in, False)
        return len(prefix), total_in, total_out

    def _checkpoint(self, controller: str, side: int) -> tuple[int, int]:
        count, total_in, total_out = self._scan(controller, side)
        if count:
            self.queues[(controller, side)].drop_prefix(count)
        return total_in, total_out

    def _checkpoint_deposits(self, controller: str) -> None:
        assets, shares = self._checkpoint(controller, DEPOSIT_SIDE)
        if assets > 0:
            _add(self.claimable_deposit_assets, controller, assets)
            _add(self.claimable_deposit_shares, controller, shares)

    def _checkpoint_redemptions(self, controller: str) -> None:
        shares, assets = self._checkpoint(controller, REDEEM_SIDE)
        if shares > 0:
            _add(self.claimable_redeem_shares, controller, shares)
            _add(self.claimable_redeem_assets, controller, assets)

    # ---- views: ERC-7540 ----

    def max_deposit(self, controller: str) -> int:
        """NMR of converted deposits `controller` can claim (`maxDeposit`)."""
        _, assets, _ = self._scan(controller, DEPOSIT_SIDE)
        return self.claimable_deposit_assets.get(controller, 0) + assets

    def max_mint(self, controller: str) -> int:
        """Shares of converted deposits `controller` can claim (`maxMint`)."""
        _, _, shares = self._scan(controller, DEPOSIT_SIDE)
        return self.claimable_deposit_shares.get(controller, 0) + shares

    def max_redeem(self, controller: str) -> int:
        """Redeemed shares `controller` can claim NMR for (`maxRedeem`)."""
        _, shares, _ = self._scan(controller, REDEEM_SIDE)
        return self.claimable_redeem_shares.get(controller, 0) + shares

    def max_withdraw(self, controller: str) -> int:
        """NMR of converted redemptions `controller` can claim (`maxWithdraw`)."""
        _, _, assets = self._scan(controller, REDEEM_SIDE)
        return self.claimable_redeem_assets.get(controller, 0) + assets

    def pending_deposit_request(self, request_id: int, controller: str) -> int:
        return self._pending_amount(controller, DEPOSIT_SIDE, request_id)

    def pending_redeem_request(self, request_id: int, controller: str) -> int:
        return self._pending_amount(controller, REDEEM_SIDE, request_id)

    def claimable_deposit_request(self, request_id: int, controller: str) -> int:
        return self.max_deposit(controller)

    def claimable_redeem_request(self, request_id: int, controller: str) -> int:
        return self.max_redeem(controller)

    def pending_requests(self, controller: str, redeem_side: bool) -> list[tuple[int, int]]:
        """Open requests as `(round, amount)`, oldest first: NMR for deposits, shares for redemptions."""
        side = REDEEM_SIDE if redeem_side else DEPOSIT_SIDE
        queue = self.queues.get((controller, side))
        return [] if queue is None else queue.open_requests(lambda r: self.is_converted(r, side))

    def _pending_amount(self, controller: str, side: int, request_id: int) -> int:
        if self.is_converted(request_id, side):
            return 0
        queue = self.queues.get((controller, side))
        return 0 if queue is None else queue.pending_amount(request_id)

    # ---- previews (never change the model) ----

    def preview_settle(self, round_return: int, results_digest: bytes = b"\0" * 32) -> SettleOutcome:
        """What settling round `last_settled_round + 1` with `round_return` would do.

        Checks what the contract checks except the caller and whether the round has closed
        (so a result can be previewed before its round closes); raises `ModelRevert` otherwise.
        """
        require(not self.is_closed, "pool: closed")
        trial = copy.deepcopy(self)
        return trial._settle(trial.last_settled_round + 1, round_return, results_digest)

    def preview_request_deposit(self, assets: int) -> RequestPreview:
        """What `requestDeposit(assets)` made now would do (the pool's checks, not the caller's)."""
        require(not self.is_closed, "pool: closed")
        require(self.wind_down_round == 0, "pool: winding down")
        require(not self.paused, "pool: paused")
        require(assets > 0, "pool: zero assets")
        require(
            self.deposit_limit == UNLIMITED
            or self.total_assets + self.pending_deposit_assets + assets <= self.deposit_limit,
            "pool: deposit limit exceeded",
        )
        request_round = self.current_round()
        converts_now = self.is_converted(request_round, DEPOSIT_SIDE)
        return RequestPreview(request_round, converts_now, self.convert_to_shares(assets))

    def preview_request_redeem(self, shares: int) -> RequestPreview:
        """What `requestRedeem(shares)` made now would do (converts at once when caught up or closed)."""
        require(shares > 0, "pool: zero shares")
        request_round = self.redeem_group_now()
        converts_now = self.is_closed or self.is_converted(request_round, REDEEM_SIDE)
        return RequestPreview(request_round, converts_now, self.convert_to_assets(shares))

    def redeem_group_now(self) -> int:
        """The group a redemption made now joins: the open round, or after a wind-down's last
        round the one after it (nothing later is played)."""
        request_round = self.current_round()
        if self.wind_down_round != 0:
            request_round = min(request_round, self.wind_down_round + 1)
        return request_round


def _add(table: dict[Any, int], key: Any, amount: int) -> None:
    table[key] = table.get(key, 0) + amount
