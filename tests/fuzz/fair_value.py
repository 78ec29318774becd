"""What each holder is owed, computed from the rounds they bore, independently of the pool's arithmetic.

An ideal pool in exact fractions, with no rounding and no virtual share: a *unit* is worth
`price` NMR after the last settled round, and `price` moves only with the settled results:

    gain:  gross = price * (1 + paid / A)        (A: the pool's active NMR before the round)
           price = gross - fee_bps/10_000 * max(0, gross - max(price, hwm))
    loss:  price = price * (1 - |r|)
    hwm  = max(hwm, price)

A deposit that converts after round `o - 1` buys `D / price` units at the ideal price then; a
redemption converting after round `q - 1` is worth `units * price` NMR. (Owed NMR the treasury
pays later is credited when collected, at that moment, as the protocol defines.) Units follow shares
between holders (transfers, claims to another receiver, redemption requests) in proportion.
A redemption that converts while a round it bears is still unsettled is an escape, unless the
pool was closed by its emergency exit or by depletion (the only paths that forfeit results),
and fails at once. When a holder has left completely (no shares, nothing pending or
claimable) the NMR it received must equal its fair value, up to rounding dust: never more,
and never less than the dust the pool's own rounding keeps.

One case is left out on purpose: owed NMR collected into a pool whose active assets are far
smaller than the amount (a pool the treasury owed while it shrank to dust). The protocol
credits it to the holders at collection time, pro rata to their shares, and after dust-level
rounding (the last wei burned by a loss) shares and ideal units no longer share value in the
same proportions, so a windfall that large is split by dust. The ledger stops checking exits
from then on in that history (`comparable`), and says so in the fuzzer's path counts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from nmr_pools.model.pool import DEPLETED, EMERGENCY_EXIT

BPS = 10_000
# rounding dust a holder may lose to the pool (conversions, group splits and claims all round
# the pool's way): an absolute allowance for tiny pools plus a relative one
DUST_WEI = 10**12
DUST_RELATIVE = Fraction(1, 10**9)


@dataclass
class FairLedger:
    price: Fraction = Fraction(1)
    hwm: Fraction = Fraction(1)
    # False once a windfall larger than the pool was collected (see the module docstring)
    comparable: bool = True
    # units behind the shares each address holds
    units: defaultdict[str, Fraction] = field(default_factory=lambda: defaultdict(Fraction))
    # deposits waiting to convert: (controller, group) -> NMR
    deposits_pending: defaultdict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))
    # converted deposits not yet claimed as shares: controller -> units
    deposit_units: defaultdict[str, Fraction] = field(default_factory=lambda: defaultdict(Fraction))
    # redemptions waiting to convert: (controller, group) -> units
    redemptions_pending: defaultdict[tuple[str, int], Fraction] = field(
        default_factory=lambda: defaultdict(Fraction)
    )
    # converted redemptions not yet claimed: controller -> fair NMR
    nmr_owed: defaultdict[str, Fraction] = field(default_factory=lambda: defaultdict(Fraction))
    # NMR the pool paid out for each controller, and what was fair
    received: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    fair_received: defaultdict[str, Fraction] = field(default_factory=lambda: defaultdict(Fraction))

    # ---- settlement: the ideal price path ----

    def gain(self, paid: int, assets_before: int, fee_bps: int) -> None:
        """A gain (a round's, or owed NMR collected) of `paid` on `assets_before` active NMR."""
        if paid == 0:
            return
        if paid > assets_before:
            self.comparable = False
        if assets_before == 0:
            return
        gross = self.price * (1 + Fraction(paid, assets_before))
        fee = Fraction(fee_bps, BPS) * max(Fraction(0), gross - max(self.price, self.hwm))
        self.price = gross - fee
        self.hwm = max(self.hwm, self.price)

    def loss(self, round_return: int) -> None:
        self.price = self.price * (1 + Fraction(round_return, 10**18))

    def settled(self, round_id: int, deposits_converted: bool) -> None:
        """Round `round_id` is settled at `price`: group `round_id + 1` converts at it."""
        group = round_id + 1
        for key in [k for k in self.deposits_pending if k[1] == group and deposits_converted]:
            self.deposit_units[key[0]] += Fraction(self.deposits_pending.pop(key)) / self.price
        for key in [k for k in self.redemptions_pending if k[1] == group]:
            self.nmr_owed[key[0]] += self.redemptions_pending.pop(key) * self.price

    # ---- requests ----

    def deposit_requested(self, controller: str, group: int, assets: int, converted_now: bool) -> None:
        if converted_now:  # caught up: the rounds before its group are all settled
            self.deposit_units[controller] += Fraction(assets) / self.price
        else:
            self.deposits_pending[(controller, group)] += assets

    def deposit_cancelled(self, controller: str, group: int, assets: int) -> None:
        self.deposits_pending[(controller, group)] -= assets
        if self.deposits_pending[(controller, group)] == 0:
            del self.deposits_pending[(controller, group)]
        self.received[controller] += assets
        self.fair_received[controller] += assets

    def redeem_requested(
        self,
        owner: str,
        owner_shares: int,
        controller: str,
        shares: int,
        group: int,
        converted_now: bool,
        last_settled: int,
        closure: int,
    ) -> None:
        moved = self._take(owner, owner_shares, shares)
        if not converted_now:
            self.redemptions_pending[(controller, group)] += moved
            return
        if group - 1 > last_settled:  # only the paths that forfeit results may skip rounds
            assert closure in (EMERGENCY_EXIT, DEPLETED), (
                f"inv 16: a redemption converted with rounds {last_settled + 1}..{group - 1} it bears unsettled"
            )
        self.nmr_owed[controller] += moved * self.price

    def redeem_cancelled(self, controller: str, group: int, receiver: str) -> None:
        self.units[receiver] += self.redemptions_pending.pop((controller, group), Fraction(0))

    # ---- shares and claims ----

    def shares_moved(self, sender: str, sender_shares: int, receiver: str, shares: int) -> None:
        moved = self._take(sender, sender_shares, shares)  # first: the sender may be the receiver
        self.units[receiver] += moved

    def deposit_claimed(self, controller: str, claimable_shares: int, receiver: str, shares: int) -> None:
        if claimable_shares == 0:
            return
        moved = self.deposit_units[controller] * Fraction(shares, claimable_shares)
        self.deposit_units[controller] -= moved
        self.units[receiver] += moved

    def redemption_claimed(self, controller: str, claimable_assets: int, assets: int) -> None:
        if claimable_assets == 0:
            return
        fair = self.nmr_owed[controller] * Fraction(assets, claimable_assets)
        self.nmr_owed[controller] -= fair
        self.received[controller] += assets
        self.fair_received[controller] += fair

    def _take(self, holder: str, holder_shares: int, shares: int) -> Fraction:
        if holder_shares == 0:
            return Fraction(0)
        moved = self.units[holder] * Fraction(shares, holder_shares)
        self.units[holder] -= moved
        return moved

    # ---- the check ----

    def is_gone(self, address: str, shares: int) -> bool:
        """Nothing left in the pool for `address`: no shares, nothing pending or claimable."""
        return (
            shares == 0
            and not any(k[0] == address for k in self.deposits_pending)
            and not any(k[0] == address for k in self.redemptions_pending)
            and self.deposit_units[address] == 0
            and self.nmr_owed[address] == 0
        )

    def check_exit(self, name: str, address: str) -> None:
        """Invariant 16: a holder who left got its fair value, up to rounding dust (never more)."""
        got, fair = self.received[address], self.fair_received[address]
        assert got <= fair + DUST_WEI, (
            f"inv 16: {name} left with {got} NMR, more than its fair {float(fair):.0f}"
        )
        assert got >= fair - DUST_WEI - fair * DUST_RELATIVE, (
            f"inv 16: {name} left with {got} NMR, less than its fair {float(fair):.0f} (beyond rounding)"
        )
