# pragma version ~=0.4.3
"""
@title Pool ledger (module)
@notice The storage of a delegation pool and the helpers both halves of the pool use: the core
        (`DelegationPool.vy`: requests, claims, settlement, the ERC-20 shares) and its extension
        (`PoolExtension.vy`: initialisation, owner settings, safety switches, views), which the
        core reaches with a delegatecall from its fallback. Both initialise this module and the
        snekmate modules in the same order, so they read and write the same slots (a test
        compares the two storage layouts).

        The pool's state lives in a few packed words, each field asserted to fit when written,
        read once and written once per call. Shares a controller has not claimed yet, and shares
        locked in redemptions, are counted but not minted, so a settlement touches no ERC-20
        storage. The state keeps the share supply the price counts,
            share_supply = totalSupply + unclaimed deposit shares + pending_redeem_shares,
        which claims and redemption requests leave unchanged (they only move shares between
        its parts), so neither a claim nor a settlement reads or writes anything for it but
        the one field.
"""

from snekmate.auth import ownable
from snekmate.tokens import erc20
from snekmate.utils import math

uses: ownable
uses: erc20

# ---- interfaces ----

interface INumeraire:
    def transfer(to: address, amount: uint256) -> bool: nonpayable
    def transferFrom(owner: address, to: address, amount: uint256) -> bool: nonpayable
    def mint(_value: uint256) -> bool: nonpayable


interface IPoolFactory:
    def fee_cap_bps() -> uint256: view
    def fee_delay_rounds() -> uint256: view
    def stall_gap() -> uint256: view
    def is_guardian(account: address) -> bool: view


interface IPayoutTreasury:
    def pay(amount: uint256) -> uint256: nonpayable


# ---- constants ----

# 1e18 = 100%: the unit of round returns and of the price per share
WAD: constant(uint256) = 10**18
# 10,000 basis points = 100%
BPS: constant(uint256) = 10_000
# hard ceiling of any return cap: 5% per round, like Numerai's payout cap
MAX_RETURN_CAP: constant(uint256) = 5 * 10**16
# virtual shares and assets added to every conversion (inflation/rounding guard)
VIRTUAL_OFFSET: constant(uint256) = 1
# a controller may hold this many open requests per side (one per round at most)
MAX_OPEN_REQUESTS: constant(uint256) = 64
# request queue sides
DEPOSIT_SIDE: constant(uint256) = 0
REDEEM_SIDE: constant(uint256) = 1
# a queue header: head (16) | tail (16) | claimable flag | the entries at the lowest indices,
# inline. The flag says that the claimable pair of a controller with queued requests is not zero
CLAIMABLE_FLAG: constant(uint256) = 1 << 223
# a deposit header holds the entries at indices 0 and 1 (round 24 | NMR 85, each 109 bits: a
# top-up in a later round, while the first request waits, writes no new slot); a redeem
# header holds the entry at index 0 (round 40 | shares 128)
DEPOSIT_INLINE: constant(uint256) = 2
DEPOSIT_ENTRY_BITS: constant(uint256) = 109
REDEEM_INLINE_BITS: constant(uint256) = 168
# no deposit converts below this price (WAD: 1e-6 NMR per share); a settlement that leaves the
# price below it closes the pool as depleted. It bounds shares per NMR wei by 1e6.
MIN_PRICE: constant(uint256) = 10**12
# the deposit limit's field (96 bits): all ones means unlimited
UNLIMITED: constant(uint256) = 2**96 - 1
# the high-water mark's field (128 bits) holds at most this price: a pool left with (nearly) no
# shares whose owed gains are then collected prices a share beyond it, and its settlement must
# not be refused for that (fees are then charged above the capped mark)
MAX_MARK: constant(uint256) = 2**128 - 1
# the bit of `_fees` that says `_pending` is not zero
PENDING_SET: constant(uint256) = 1 << 117
# a group's word has this bit once its group converted: a claim learns which of its requests
# converted from the group words it reads anyway, not from the state
CONVERTED: constant(uint256) = 1 << 255

# ---- flags and structs ----

# why a pool closed (empty while open)
flag Closure:
    WOUND_DOWN
    EMERGENCY_EXIT
    DEPLETED


# the hot state (`_totals` and `_shares`), loaded once and stored once per call; the paths that
# need one field (a claim, a redemption that waits) read and write only its word. Two flags
# summarise settings kept elsewhere, so a request reads no other word while they are off:
# `winding_down` (the wind-down round is in `_pending`) and `deposit_limited` (the limit is
# in `_deposit_limit_complement`)
struct State:
    total_assets: uint256
    pending_deposit_assets: uint256
    reserved_redeem_assets: uint256
    share_supply: uint256
    pending_redeem_shares: uint256
    last_settled_round: uint256
    deposit_limited: bool
    winding_down: bool
    closure: Closure
    paused: bool


# the owner's and the fee's settings (`_settings`)
struct Settings:
    high_water_mark: uint256
    fee_bps: uint256
    pending_fee_bps: uint256
    pending_fee_round: uint256
    wind_down_round: uint256


# ---- immutables: the implementation's code, shared by every clone (and the extension's) ----

# the factory that created the implementation: it alone initialises and settles its pools
FACTORY: immutable(address)
# the NMR token
ASSET: immutable(address)
# where gains are drawn from
TREASURY: immutable(address)
# the factory's schedule: round r is open while GENESIS + r*ROUND_LENGTH <= now < GENESIS + (r+1)*ROUND_LENGTH
GENESIS: immutable(uint256)
ROUND_LENGTH: immutable(uint256)

# ---- storage: identity and configuration (set once, by `initialize`) ----

# UNLIMITED minus the owner's deposit limit in NMR (96 bits): zero, as a new pool has it
# without a write, means unlimited
_deposit_limit_complement: uint256
# the Numerai model this pool backs (one pool per model)
model_id: public(bytes32)
# the model's short name (the share token is "NMR Pool <name>" / "np<name>") in one word: its
# bytes from the top, its length in the lowest byte (a String[24] would take two slots)
_model_name_word: uint256

# ---- storage: pool state, packed (field widths in bits) ----

# total_assets (85: NMR backing the shares) | pending_deposit_assets (85: deposits not yet
# converted) | reserved_redeem_assets (85: NMR set aside for converted redemptions)
_totals: uint256
# share_supply (105: totalSupply + converted deposit shares not yet claimed, not minted +
# pending_redeem_shares) | pending_redeem_shares (105: burned at request, not yet converted) |
# last_settled_round (40) | deposit_limited (1) | winding_down (1) | closure (3) | paused (1)
_shares: uint256
# the performance fee, in the word a fee-charging settlement writes anyway: high_water_mark
# (128: WAD price fees are charged above; never zero, so a fee earned after the owner claimed
# everything is not a fresh slot) | `_pending` is not zero (bit 117) | fees_owed (85: earned by
# the owner, unclaimed) | fee_bps (16) | pending_fee_bps (16: a proposed increase)
_fees: uint256
# what waits for later, rarely written, and read only when `_fees` says it is not zero (a
# settlement of a pool with nothing pending never reads it): treasury_owed (128: gains the
# treasury could not pay when they were settled; credited when collected) | pending_fee_round
# (40: first round a proposed increase applies to) | wind_down_round (40: the last round a
# winding-down pool plays)
_pending: uint256

# ---- storage: request groups, keyed by the round the requests were made in ----

# converted (bit 255) | NMR requested for deposit (127) | shares minted for it when the group
# converted (128)
_deposit_groups: HashMap[uint256, uint256]
# converted (bit 255) | shares requested for redemption (127) | NMR they converted to (128)
_redeem_groups: HashMap[uint256, uint256]

# ---- storage: per controller ----

# per side: queue head (16) | queue tail (16) | claimable flag (bit 223: while requests are
# queued, the controller's claimable pair is not zero; an empty queue's header has no flag and
# its pair is read) | the queue's first entries, inline while they are queued: deposits at
# index 1 (round 24 | NMR 85, from bit 109) and index 0 (round 24 | NMR 85), redemptions at
# index 0 (round 40 | shares 128). A new requester's first request is one fresh slot, a
# depositor's request of a later round while its first waits writes none, a claim that takes
# everything never writes its claimable pair, and a caught-up conversion writes only the pair
_requests: HashMap[address, HashMap[uint256, uint256]]
# the open requests of a controller and side past the header's, oldest first: round (128) |
# amount (128)
_entries: HashMap[address, HashMap[uint256, HashMap[uint256, uint256]]]
# per side: claimable in (128) | claimable out (128); of a converted deposit (NMR requested,
# shares bought), of a redemption (shares redeemed, NMR they are worth)
_claimable: HashMap[address, HashMap[uint256, uint256]]
# ERC-7540 operators: controller -> operator -> approved
isOperator: public(HashMap[address, HashMap[address, bool]])

# ---- events ----

event DepositRequest:
    controller: indexed(address)
    owner: indexed(address)
    requestId: indexed(uint256)
    sender: address
    assets: uint256


event RedeemRequest:
    controller: indexed(address)
    owner: indexed(address)
    requestId: indexed(uint256)
    sender: address
    shares: uint256


event Deposit:
    sender: indexed(address)
    owner: indexed(address)
    assets: uint256
    shares: uint256


event Withdraw:
    sender: indexed(address)
    receiver: indexed(address)
    owner: indexed(address)
    assets: uint256
    shares: uint256


event OperatorSet:
    controller: indexed(address)
    operator: indexed(address)
    approved: bool


event DepositRequestCancelled:
    controller: indexed(address)
    requestId: indexed(uint256)
    receiver: address
    assets: uint256


event RedeemRequestCancelled:
    controller: indexed(address)
    requestId: indexed(uint256)
    receiver: address
    shares: uint256


# one event per settlement: the round's result, then the conversion of the next round's groups
event Settled:
    round: indexed(uint256)
    round_return: int256
    results_digest: bytes32
    paid: uint256
    unpaid: uint256
    burned: uint256
    fee: uint256
    total_assets: uint256
    price_per_share: uint256
    high_water_mark: uint256
    deposit_assets: uint256
    deposit_shares: uint256
    redeem_shares: uint256
    redeem_assets: uint256


event OwedCollected:
    amount: uint256
    fee: uint256
    still_owed: uint256


event FeeIncreaseProposed:
    fee_bps: uint256
    effective_round: uint256


event FeeChanged:
    old_fee_bps: uint256
    new_fee_bps: uint256


event FeesClaimed:
    receiver: indexed(address)
    amount: uint256


event DepositLimitSet:
    deposit_limit: uint256


event Paused:
    account: indexed(address)


event Unpaused:
    account: indexed(address)


event WindDown:
    account: indexed(address)
    last_round: uint256


event Closed:
    closure: Closure
    last_settled_round: uint256


@deploy
def __init__(factory: address, asset: address, treasury: address, genesis: uint256, round_length: uint256):
    assert factory != empty(address), "pool: zero factory"
    assert asset != empty(address), "pool: zero asset"
    assert treasury != empty(address), "pool: zero treasury"
    assert round_length > 0, "pool: zero round length"
    FACTORY = factory
    ASSET = asset
    TREASURY = treasury
    GENESIS = genesis
    ROUND_LENGTH = round_length
    # the implementation itself is never initialised (`initialize` refuses a pool with a model)
    # nor used: it is closed from the start, so no request can be filed in it by mistake
    self.model_id = keccak256("NMR Delegation Pool implementation")
    self._shares = convert(Closure.WOUND_DOWN, uint256) << 1


# ---- internal: packed storage ----


@internal
@pure
def _field(amount: uint256, bits: uint256) -> uint256:
    # a packed field must fit its width: a spill would corrupt its neighbour
    assert amount < 1 << bits, "pool: value too large for its packed field"
    return amount


@internal
@pure
def _pair(high: uint256, low: uint256) -> uint256:
    return self._field(high, 128) << 128 | self._field(low, 128)


@internal
@pure
def _add_high(group: uint256, amount: uint256) -> uint256:
    # a request joins its (unconverted) group: the amount requested is 127 bits, under the flag
    return self._field((group >> 128) + amount, 127) << 128 | group % 2**128


@internal
@view
def _load_state() -> State:
    totals: uint256 = self._totals
    shares: uint256 = self._shares
    return State(
        total_assets=totals >> 170,
        pending_deposit_assets=(totals >> 85) % 2**85,
        reserved_redeem_assets=totals % 2**85,
        share_supply=shares >> 151,
        pending_redeem_shares=(shares >> 46) % 2**105,
        last_settled_round=(shares >> 6) % 2**40,
        deposit_limited=(shares >> 5) % 2 == 1,
        winding_down=(shares >> 4) % 2 == 1,
        closure=convert((shares >> 1) % 8, Closure),
        paused=shares % 2 == 1,
    )


@internal
def _store_state(state: State):
    self._totals = (
        self._field(state.total_assets, 85) << 170
        | self._field(state.pending_deposit_assets, 85) << 85
        | self._field(state.reserved_redeem_assets, 85)
    )
    self._shares = (
        self._field(state.share_supply, 105) << 151
        | self._field(state.pending_redeem_shares, 105) << 46
        | self._field(state.last_settled_round, 40) << 6
        | convert(state.deposit_limited, uint256) << 5
        | convert(state.winding_down, uint256) << 4
        | convert(state.closure, uint256) << 1
        | convert(state.paused, uint256)
    )


@internal
def _add_pending_redeem_shares(shares: uint256):
    # a waiting redemption's shares join `pending_redeem_shares` (105 bits at bit 46 of
    # `_shares`): a request that waits reads and writes no other state word
    word: uint256 = self._shares
    pending: uint256 = self._field((word >> 46) % 2**105 + shares, 105)
    self._shares = word >> 151 << 151 | pending << 46 | word % 2**46


@internal
def _release_redeem_assets(assets: uint256):
    # paid NMR leaves `reserved_redeem_assets`, the lowest field of `_totals` (checked first:
    # subtracting from the word would otherwise borrow from the field above it)
    totals: uint256 = self._totals
    assert totals % 2**85 >= assets, "pool: more than reserved"
    self._totals = totals - assets


@internal
@view
def _pending_word(fees: uint256) -> uint256:
    # `_pending`, read only when `_fees` says it is not zero
    if fees & PENDING_SET == 0:
        return 0
    return self._pending


@internal
@view
def _load_settings() -> Settings:
    fees: uint256 = self._fees
    pending: uint256 = self._pending_word(fees)
    return Settings(
        high_water_mark=fees >> 128,
        fee_bps=(fees >> 16) % 2**16,
        pending_fee_bps=fees % 2**16,
        pending_fee_round=(pending >> 40) % 2**40,
        wind_down_round=pending % 2**40,
    )


@internal
@view
def _load_owed() -> uint256:
    # fees_owed << 128 | treasury_owed
    fees: uint256 = self._fees
    return (fees >> 32) % 2**85 << 128 | self._pending_word(fees) >> 128


@internal
def _store_settings(settings: Settings, owed: uint256):
    # the settings and what is owed (fees_owed << 128 | treasury_owed); `_pending` is written
    # only when it is or was not zero (a word that did not change costs a no-op write)
    pending: uint256 = (
        (owed % 2**128) << 128
        | self._field(settings.pending_fee_round, 40) << 40
        | self._field(settings.wind_down_round, 40)
    )
    pending_set: uint256 = 0
    if pending != 0:
        pending_set = PENDING_SET
    if pending != 0 or self._fees & PENDING_SET != 0:
        self._pending = pending
    self._fees = (
        self._field(settings.high_water_mark, 128) << 128
        | pending_set
        | self._field(owed >> 128, 85) << 32
        | self._field(settings.fee_bps, 16) << 16
        | self._field(settings.pending_fee_bps, 16)
    )


@internal
@view
def _settings_wind_down_round() -> uint256:
    return self._pending % 2**40


@internal
@pure
def _pack_name(name: String[24]) -> uint256:
    return convert(convert(convert(name, Bytes[24]), bytes32), uint256) | len(name)


@internal
@view
def _model_name() -> String[24]:
    word: uint256 = self._model_name_word
    return convert(slice(convert(word, bytes32), 0, word % 256), String[24])


@internal
@view
def _deposit_limit() -> uint256:
    # the owner's deposit limit; UNLIMITED when there is none
    return UNLIMITED - self._deposit_limit_complement


# ---- internal: time and roles ----


@internal
@view
def _current_round() -> uint256:
    return (block.timestamp - GENESIS) // ROUND_LENGTH


@internal
@view
def _conversion_point() -> (uint256, bool, bool):
    # (last_settled_round, closed, winding_down) from `_shares` alone: all a redemption needs
    # to know whether it converts now (the whole state is loaded only when it does)
    shares: uint256 = self._shares
    return (shares >> 6) % 2**40, (shares >> 1) % 8 != 0, (shares >> 4) % 2 == 1


@internal
@view
def _is_converted(request_round: uint256, side: uint256, last_settled_round: uint256, closure: Closure) -> bool:
    # the group of round r converts right after round r-1 is settled, except the deposits of
    # the group a depleting settlement skipped (they wait, to be taken back in full)
    if side == DEPOSIT_SIDE and closure == Closure.DEPLETED:
        return request_round <= last_settled_round
    return request_round <= last_settled_round + 1


@internal
@view
def _is_stalled(state: State) -> bool:
    # the next round (last settled + 1) closed when round last settled + 2 opened; its result
    # arrives about 20 rounds later, so the factory's stall gap (>= 30 days) is longer than that
    next_round_closed_at: uint256 = GENESIS + (state.last_settled_round + 2) * ROUND_LENGTH
    return block.timestamp >= next_round_closed_at + staticcall IPoolFactory(FACTORY).stall_gap()


@internal
@view
def _check_caller_for(account: address):
    assert msg.sender == account or self.isOperator[account][msg.sender], "pool: not controller or operator"


@internal
@view
def _check_owner_or_guardian():
    is_owner: bool = msg.sender == ownable.owner
    assert is_owner or staticcall IPoolFactory(FACTORY).is_guardian(msg.sender), "pool: not owner or guardian"


@internal
def _set_paused(paused: bool):
    self._check_owner_or_guardian()
    state: State = self._load_state()
    if paused:
        assert not state.paused, "pool: already paused"
        log Paused(account=msg.sender)
    else:
        assert state.paused, "pool: not paused"
        log Unpaused(account=msg.sender)
    state.paused = paused
    self._store_state(state)


# ---- internal: conversions ----


@internal
@view
def _to_shares(assets: uint256, state: State, roundup: bool) -> uint256:
    # shares = assets * (supply + 1) / (total_assets + 1)
    return math._mul_div(assets, state.share_supply + VIRTUAL_OFFSET, state.total_assets + VIRTUAL_OFFSET, roundup)


@internal
@view
def _to_assets(shares: uint256, state: State, roundup: bool) -> uint256:
    # assets = shares * (total_assets + 1) / (supply + 1)
    return math._mul_div(shares, state.total_assets + VIRTUAL_OFFSET, state.share_supply + VIRTUAL_OFFSET, roundup)


@internal
@view
def _price(state: State) -> uint256:
    # round down: the price never overstates what a share is worth
    return self._to_assets(WAD, state, False)


@internal
@pure
def _raised_mark(mark: uint256, price: uint256) -> uint256:
    # the high-water mark after a settled price: never lower, never beyond its field
    return min(max(mark, price), MAX_MARK)


@internal
@pure
def _abs(x: int256) -> uint256:
    if x < 0:
        # -(x + 1) cannot overflow, even for min_value(int256)
        return convert(-(x + 1), uint256) + 1
    return convert(x, uint256)


# ---- internal: gains and fees ----


@internal
def _draw(amount: uint256) -> uint256:
    # the treasury pays what it can, up to `amount`; the caller records the rest as owed
    if amount == 0:
        return 0
    return extcall IPayoutTreasury(TREASURY).pay(amount)


@internal
def _collect_owed(owed: uint256, fee_bps: uint256, state: State, settings: Settings) -> (uint256, uint256):
    # draw what the treasury can pay of what it owes (the low half of `owed`), charging the fee
    # above the mark; returns (NMR to credit to the active assets, net of the fee; `owed`
    # updated: fees in the high half, still owed in the low). The caller credits it and lifts
    # the mark: structs reach internal functions as copies, so nothing here may change them
    amount: uint256 = self._draw(owed % 2**128)
    if amount == 0:
        return 0, owed
    fee: uint256 = self._performance_fee(state.total_assets, state.total_assets + amount, fee_bps, state, settings)
    still_owed: uint256 = owed % 2**128 - amount
    log OwedCollected(amount=amount, fee=fee, still_owed=still_owed)
    return amount - fee, self._pair((owed >> 128) + fee, still_owed)


@internal
@pure
def _due_fee_increase(round: uint256, settings: Settings) -> Settings:
    # a proposed increase applies from its effective round on (returned as new settings: the
    # caller's struct is a copy here)
    if settings.pending_fee_round == 0 or round < settings.pending_fee_round:
        return settings
    updated: Settings = settings
    updated.fee_bps = settings.pending_fee_bps
    updated.pending_fee_bps = 0
    updated.pending_fee_round = 0
    return updated


@internal
@view
def _performance_fee(assets_before: uint256, assets_after: uint256, fee_bps: uint256, state: State, settings: Settings) -> uint256:
    # fee = (assets_after - max(assets_before, assets at the high-water mark)) * fee_bps / 10_000
    # assets at the high-water mark: the least A with (A + 1) * 1e18 / (supply + 1) >= hwm,
    # i.e. ceil(hwm * (supply + 1) / 1e18) - 1
    if fee_bps == 0:
        return 0
    hwm_assets: uint256 = math._mul_div(settings.high_water_mark, state.share_supply + VIRTUAL_OFFSET, WAD, True) - 1
    base: uint256 = max(assets_before, hwm_assets)
    if assets_after <= base:
        return 0
    # round down: the fee never takes more than its share
    return math._mul_div(assets_after - base, fee_bps, BPS, False)


# ---- internal: per-controller request queues ----


@internal
@view
def _entry_at(controller: address, side: uint256, index: uint256, header: uint256) -> uint256:
    # the queue entry at `index` as round << 128 | amount (the header's inline ones unpacked)
    if side == DEPOSIT_SIDE:
        if index < DEPOSIT_INLINE:
            packed: uint256 = (header >> (DEPOSIT_ENTRY_BITS * index)) % 2**DEPOSIT_ENTRY_BITS
            return (packed >> 85) << 128 | packed % 2**85
    elif index == 0:
        return header % 2**REDEEM_INLINE_BITS
    return self._entries[controller][side][index]


@internal
def _put_entry(controller: address, side: uint256, index: uint256, header: uint256, entry: uint256) -> uint256:
    # write the entry at `index`; returns the header, which holds the inline entries (the
    # caller stores the header)
    if side == DEPOSIT_SIDE:
        if index < DEPOSIT_INLINE:
            offset: uint256 = DEPOSIT_ENTRY_BITS * index
            packed: uint256 = self._field(entry >> 128, 24) << 85 | self._field(entry % 2**128, 85)
            return header & ~((2**DEPOSIT_ENTRY_BITS - 1) << offset) | packed << offset
    elif index == 0:
        return header >> REDEEM_INLINE_BITS << REDEEM_INLINE_BITS | self._field(entry >> 128, 40) << 128 | entry % 2**128
    self._entries[controller][side][index] = entry
    return header


@internal
@pure
def _inline_count(side: uint256) -> uint256:
    # how many of a queue's first entries its header holds
    if side == DEPOSIT_SIDE:
        return DEPOSIT_INLINE
    return 1


@internal
@pure
def _header(head: uint256, tail: uint256, low_bits: uint256) -> uint256:
    # queue head (16) | tail (16) | `low_bits`: the claimable flag and the inline entry. The
    # flag speaks only for a queued header: an empty queue's is dropped
    if tail == head:
        return self._field(head, 16) << 240 | self._field(tail, 16) << 224 | low_bits & ~CLAIMABLE_FLAG
    return self._field(head, 16) << 240 | self._field(tail, 16) << 224 | low_bits


@internal
@pure
def _add_low(word: uint256, amount: uint256) -> uint256:
    return self._pair(word >> 128, word % 2**128 + amount)


@internal
@pure
def _queued(header: uint256) -> bool:
    # the queue holds entries: tail > head
    return (header >> 224) % 2**16 > header >> 240


@internal
@view
def _stored_pair(controller: address, side: uint256, header: uint256) -> uint256:
    # the stored claimable pair (in << 128 | out). While requests are queued the header's flag
    # says whether it is zero (then it is not read); with an empty queue it is read
    if header & CLAIMABLE_FLAG == 0 and self._queued(header):
        return 0
    return self._claimable[controller][side]


@internal
def _store_claimable(controller: address, side: uint256, header: uint256, stored: uint256, claim_in: uint256, claim_out: uint256) -> uint256:
    # store the claimable pair if it changed (`stored`: its value before); returns `header`
    # with its flag in step, for the caller to store: a claim that takes everything and a
    # caught-up conversion into an empty queue never write the header for it
    pair: uint256 = self._pair(claim_in, claim_out)
    if pair != stored:
        self._claimable[controller][side] = pair
    if pair != 0 and self._queued(header):
        return header | CLAIMABLE_FLAG
    return header & ~CLAIMABLE_FLAG


@internal
def _enqueue(controller: address, side: uint256, request_round: uint256, amount: uint256):
    # requests of one round share one entry; rounds only grow, so only the tail can match.
    # Converted entries at the head are moved to the claimable pair first, keeping the queue short
    header: uint256 = 0
    stored: uint256 = 0
    total_in: uint256 = 0
    total_out: uint256 = 0
    header, stored, total_in, total_out = self._checkpoint(controller, side)
    head: uint256 = header >> 240
    tail: uint256 = (header >> 224) % 2**16
    appended: bool = True
    if tail > head:
        last: uint256 = self._entry_at(controller, side, tail - 1, header)
        if last >> 128 == request_round:
            header = self._put_entry(controller, side, tail - 1, header, self._add_low(last, amount))
            appended = False
    if appended:
        assert tail - head < MAX_OPEN_REQUESTS, "pool: too many open requests"
        header = self._put_entry(controller, side, tail, header, self._pair(request_round, amount))
        header = self._header(head, tail + 1, header % 2**224)
    self._requests[controller][side] = self._store_claimable(
        controller, side, header, stored, (stored >> 128) + total_in, stored % 2**128 + total_out
    )


@internal
def _add_claimable(controller: address, side: uint256, amount_in: uint256, amount_out: uint256):
    header: uint256 = 0
    stored: uint256 = 0
    total_in: uint256 = 0
    total_out: uint256 = 0
    header, stored, total_in, total_out = self._checkpoint(controller, side)
    updated: uint256 = self._store_claimable(
        controller, side, header, stored, (stored >> 128) + total_in + amount_in, stored % 2**128 + total_out + amount_out
    )
    if updated != header:
        self._requests[controller][side] = updated


@internal
def _cancel(controller: address, side: uint256, request_id: uint256, state: State) -> uint256:
    if state.closure == empty(Closure):
        assert request_id == self._current_round(), "pool: round closed, cannot cancel"
    assert not self._is_converted(request_id, side, state.last_settled_round, state.closure), "pool: request already converted"
    header: uint256 = self._requests[controller][side]
    head: uint256 = header >> 240
    tail: uint256 = (header >> 224) % 2**16
    for i: uint256 in range(head, tail, bound=MAX_OPEN_REQUESTS):
        entry: uint256 = self._entry_at(controller, side, i, header)
        amount: uint256 = entry % 2**128
        if entry >> 128 == request_id and amount > 0:
            if i == tail - 1:
                # the newest entry: drop it
                header = self._put_entry(controller, side, i, header, 0)
                self._requests[controller][side] = self._header(head, tail - 1, header % 2**224)
            else:
                # an older entry (only in a closed pool): leave an empty marker
                header = self._put_entry(controller, side, i, header, request_id << 128)
                if i < self._inline_count(side):
                    self._requests[controller][side] = header
            return amount
    raise "pool: nothing pending to cancel"


@internal
@view
def _scan(controller: address, side: uint256) -> (uint256, uint256, uint256, uint256):
    # walk the converted prefix of the queue: (header, new head, amount requested, converted
    # to). Its group's flag says whether an entry converted; an empty marker (a cancelled older
    # entry, only in a closed pool) is of a round that never converts, so it ends the prefix
    header: uint256 = self._requests[controller][side]
    head: uint256 = header >> 240
    total_in: uint256 = 0
    total_out: uint256 = 0
    new_head: uint256 = head
    for i: uint256 in range(head, (header >> 224) % 2**16, bound=MAX_OPEN_REQUESTS):
        entry: uint256 = self._entry_at(controller, side, i, header)
        amount: uint256 = entry % 2**128
        if amount == 0:
            break
        group: uint256 = 0
        if side == DEPOSIT_SIDE:
            group = self._deposit_groups[entry >> 128]
        else:
            group = self._redeem_groups[entry >> 128]
        if group & CONVERTED == 0:
            break
        new_head = i + 1
        total_in += amount
        # round down: the controller's part of its group; group dust stays in the pool
        total_out += math._mul_div(amount, group % 2**128, group % CONVERTED >> 128, False)
    return header, new_head, total_in, total_out


@internal
def _checkpoint(controller: address, side: uint256) -> (uint256, uint256, uint256, uint256):
    # take the controller's converted requests out of its queue: returns the header (stored),
    # the stored claimable pair (read through the header as it was) and what the converted
    # requests add to it (in, out); the caller stores the pair
    header: uint256 = 0
    new_head: uint256 = 0
    total_in: uint256 = 0
    total_out: uint256 = 0
    header, new_head, total_in, total_out = self._scan(controller, side)
    stored: uint256 = self._stored_pair(controller, side, header)
    head: uint256 = header >> 240
    if new_head == head:
        return header, stored, total_in, total_out
    inline: uint256 = self._inline_count(side)
    for i: uint256 in range(min(max(head, inline), new_head), new_head, bound=MAX_OPEN_REQUESTS):
        # (the inline entries are dropped with the header's bits below)
        self._entries[controller][side][i] = 0
    tail: uint256 = (header >> 224) % 2**16
    if new_head == tail:
        # empty: the flag speaks only for a queued header
        header = 0
    else:
        # keep the flag and the inline entries still queued (a deposit header's index 1)
        kept: uint256 = header & CLAIMABLE_FLAG
        if new_head < inline:
            kept |= header % 2**(DEPOSIT_ENTRY_BITS * DEPOSIT_INLINE) >> (DEPOSIT_ENTRY_BITS * new_head) << (DEPOSIT_ENTRY_BITS * new_head)
        header = self._header(new_head, tail, kept)
    self._requests[controller][side] = header
    return header, stored, total_in, total_out


@internal
@view
def _claimable_view(controller: address, side: uint256) -> (uint256, uint256):
    header: uint256 = 0
    new_head: uint256 = 0
    total_in: uint256 = 0
    total_out: uint256 = 0
    header, new_head, total_in, total_out = self._scan(controller, side)
    stored: uint256 = self._stored_pair(controller, side, header)
    return (stored >> 128) + total_in, stored % 2**128 + total_out


@internal
@view
def _pending_amount(controller: address, side: uint256, request_id: uint256) -> uint256:
    state: State = self._load_state()
    if self._is_converted(request_id, side, state.last_settled_round, state.closure):
        return 0
    header: uint256 = self._requests[controller][side]
    for i: uint256 in range(header >> 240, (header >> 224) % 2**16, bound=MAX_OPEN_REQUESTS):
        entry: uint256 = self._entry_at(controller, side, i, header)
        if entry >> 128 == request_id:
            return entry % 2**128
    return 0


# ---- internal: claims ----


@internal
def _claim(side: uint256, amount: uint256, amount_is_in: bool, receiver: address, controller: address) -> uint256:
    # pay part of the controller's claimable pair: `amount` of its "in" side (NMR of a deposit,
    # shares of a redemption) or of its "out" side; returns the other side's amount
    self._check_caller_for(controller)
    assert receiver != empty(address), "pool: zero receiver"
    header: uint256 = 0
    stored: uint256 = 0
    total_in: uint256 = 0
    total_out: uint256 = 0
    header, stored, total_in, total_out = self._checkpoint(controller, side)
    claim_in: uint256 = (stored >> 128) + total_in
    claim_out: uint256 = stored % 2**128 + total_out
    used_in: uint256 = amount
    used_out: uint256 = amount
    if amount_is_in:
        assert amount <= claim_in, "pool: more than claimable"
        used_out = claim_out
        if amount < claim_in:
            # round down: the rest stays with the controller's remaining claim
            used_out = math._mul_div(amount, claim_out, claim_in, False)
    else:
        assert amount <= claim_out, "pool: more than claimable"
        used_in = claim_in
        if amount < claim_out:
            # round up: the claim used up is never understated
            used_in = math._mul_div(amount, claim_in, claim_out, True)
    updated: uint256 = self._store_claimable(controller, side, header, stored, claim_in - used_in, claim_out - used_out)
    if updated != header:
        self._requests[controller][side] = updated
    if side == DEPOSIT_SIDE:
        # used_in NMR of deposits buys used_out shares, minted to the receiver now (they were
        # counted in the share supply since their group converted: the state is not touched)
        erc20._mint(receiver, used_out)
        log Deposit(sender=controller, owner=receiver, assets=used_in, shares=used_out)
        return used_in if not amount_is_in else used_out
    # used_in redeemed shares are worth used_out NMR
    self._release_redeem_assets(used_out)
    assert extcall INumeraire(ASSET).transfer(receiver, used_out), "pool: NMR transfer failed"
    log Withdraw(sender=msg.sender, receiver=receiver, owner=controller, assets=used_out, shares=used_in)
    return used_out if amount_is_in else used_in
