# pragma version ~=0.4.3
"""
@title NMR Delegation Pool: extension
@notice The pool's functions that are not on the hot paths of requests, claims and settlement:
        initialisation, ERC-20 metadata and ERC-165, operators, owner settings (fee, deposit
        limit, fee claims), the safety switches (pause, wind-down, emergency exit), owed
        collection, and the views. A pool (`DelegationPool.vy`) delegates every call it does
        not implement here, so these run on the pool's own storage (`pool_ledger.vy`) with
        the pool's `msg.sender`. Called directly, it acts on its own unused storage only.
@custom:security Every function checks its own caller exactly as it would in the pool; the
                 extension is fixed in each pool implementation (an immutable).
"""

from snekmate.auth import ownable
from snekmate.auth import ownable_2step
from snekmate.tokens import erc20
from snekmate.utils import math

import pool_ledger as ledger

# the same modules, initialised in the same order, in the core and in the extension: their
# storage slots must be the same (tests/contracts/test_pool_layout.py compares them)
initializes: ownable
initializes: ownable_2step[ownable := ownable]
initializes: erc20[ownable := ownable]
initializes: ledger[ownable := ownable, erc20 := erc20]

# ERC-165 interface ids (tests compute each from the interfaces' selectors)
ERC165_ID: constant(bytes4) = 0x01ffc9a7
ERC7540_OPERATOR_ID: constant(bytes4) = 0xe3bc4e65
ERC7540_DEPOSIT_ID: constant(bytes4) = 0xce3bbe50
ERC7540_REDEEM_ID: constant(bytes4) = 0x620ee8e4
ERC7575_ID: constant(bytes4) = 0x2f0a18c5


@deploy
def __init__(factory: address, asset: address, treasury: address, genesis: uint256, round_length: uint256):
    """
    @notice Deploys the extension (one per pool implementation, by the factory, from a
            blueprint): it runs on the pools' storage, with the same factory, asset, treasury
            and schedule in its code as the implementation. Its own storage is never used.
    @param factory The factory that clones, initialises and settles the pools.
    @param asset The NMR token.
    @param treasury The PayoutTreasury gains are drawn from.
    @param genesis Start of round 0 (timestamp).
    @param round_length Seconds per round.
    """
    ownable.__init__()
    ownable_2step.__init__()
    erc20.__init__("NMR Delegation Pool", "dNMR", 18, "NMR Delegation Pool", "1")
    ledger.__init__(factory, asset, treasury, genesis, round_length)


@external
def initialize(owner: address, model_id: bytes32, model_name: String[24], fee_bps: uint256):
    """
    @notice Initialise a freshly cloned pool. Called once, by the factory that cloned it.
    @param owner The model owner (earns fees, sets fee and deposit limit).
    @param model_id The Numerai model this pool backs.
    @param model_name The model's short name (the share token is "NMR Pool <name>").
    @param fee_bps The performance fee in basis points (the factory checked its cap).
    """
    assert ledger.model_id == empty(bytes32), "pool: already initialized"
    assert msg.sender == ledger.FACTORY, "pool: not the factory"
    assert model_id != empty(bytes32), "pool: zero model id"
    assert owner != empty(address), "pool: zero owner"
    ledger.model_id = model_id
    ledger._model_name_word = ledger._pack_name(model_name)
    ledger._store_settings(ledger.Settings(high_water_mark=ledger.WAD, fee_bps=fee_bps, pending_fee_bps=0, pending_fee_round=0, wind_down_round=0), 0)
    # a new pool is caught up: the round before the current one counts as settled
    state: ledger.State = empty(ledger.State)
    state.last_settled_round = ledger._current_round() - 1
    ledger._store_state(state)
    ownable_2step._transfer_ownership(owner)


@external
@view
def name() -> String[33]:
    """
    @notice The share token's name: "NMR Pool <model name>".
    """
    return concat("NMR Pool ", ledger._model_name())


@external
@view
def symbol() -> String[26]:
    """
    @notice The share token's symbol: "np<model name>".
    """
    return concat("np", ledger._model_name())


@external
@view
def share() -> address:
    """
    @notice ERC-7575: the share token is this contract.
    """
    return self


@external
@view
def supportsInterface(interface_id: bytes4) -> bool:
    """
    @notice ERC-165: ERC-165 itself, ERC-7540 operator, deposit and redeem, ERC-7575.
    @param interface_id The interface identifier.
    """
    return interface_id in [ERC165_ID, ERC7540_OPERATOR_ID, ERC7540_DEPOSIT_ID, ERC7540_REDEEM_ID, ERC7575_ID]


@external
def setOperator(operator: address, approved: bool) -> bool:
    """
    @notice Let `operator` request, cancel and claim on the caller's behalf.
    @param operator The account to approve or revoke (never the zero address).
    @param approved True to approve, False to revoke.
    @return True.
    """
    assert operator != empty(address), "pool: zero operator"
    assert operator != msg.sender, "pool: cannot be own operator"
    ledger.isOperator[msg.sender][operator] = approved
    log ledger.OperatorSet(controller=msg.sender, operator=operator, approved=approved)
    return True


@external
@nonreentrant
def collect_owed() -> uint256:
    """
    @notice Draw what the treasury owes the pool for gains it could not pay when they were
            settled, as far as it can pay now, and credit it to the active assets (the fee
            is charged above the high-water mark, as on any gain). Anyone may call it.
    @return The NMR collected.
    """
    owed: uint256 = ledger._load_owed()
    assert owed % 2**128 > 0, "pool: nothing owed"
    state: ledger.State = ledger._load_state()
    settings: ledger.Settings = ledger._load_settings()
    fee_bps: uint256 = min(settings.fee_bps, staticcall ledger.IPoolFactory(ledger.FACTORY).fee_cap_bps())
    credited: uint256 = 0
    still_owed: uint256 = 0
    credited, still_owed = ledger._collect_owed(owed, fee_bps, state, settings)
    if credited > 0:
        state.total_assets += credited
        settings.high_water_mark = ledger._raised_mark(settings.high_water_mark, ledger._price(state))
    ledger._store_settings(settings, still_owed)
    ledger._store_state(state)
    return owed % 2**128 - still_owed % 2**128


@external
@nonreentrant
def set_fee(fee_bps: uint256):
    """
    @notice Change the performance fee. A decrease applies at once (and drops any pending
            increase); an increase applies only to rounds from `current_round + delay` on,
            so delegators who disagree can request to leave first. The fee charged never
            exceeds the factory's fee cap in force when it is charged.
    @param fee_bps The new fee in basis points (at most the factory's fee cap).
    """
    ownable._check_owner()
    factory: ledger.IPoolFactory = ledger.IPoolFactory(ledger.FACTORY)
    assert fee_bps <= staticcall factory.fee_cap_bps(), "pool: fee above cap"
    settings: ledger.Settings = ledger._load_settings()
    old_fee_bps: uint256 = settings.fee_bps
    if fee_bps <= old_fee_bps:
        settings.fee_bps = fee_bps
        settings.pending_fee_bps = 0
        settings.pending_fee_round = 0
        log ledger.FeeChanged(old_fee_bps=old_fee_bps, new_fee_bps=fee_bps)
    else:
        effective_round: uint256 = ledger._current_round() + staticcall factory.fee_delay_rounds()
        settings.pending_fee_bps = fee_bps
        settings.pending_fee_round = effective_round
        log ledger.FeeIncreaseProposed(fee_bps=fee_bps, effective_round=effective_round)
    ledger._store_settings(settings, ledger._load_owed())


@external
@nonreentrant
def claim_fees(receiver: address) -> uint256:
    """
    @notice Send all fees owed to `receiver` (owner only).
    @param receiver Who receives the NMR (never the zero address).
    @return The NMR sent.
    """
    ownable._check_owner()
    assert receiver != empty(address), "pool: zero receiver"
    fees: uint256 = ledger._fees
    amount: uint256 = (fees >> 32) % 2**85
    assert amount > 0, "pool: no fees owed"
    # fees_owed (85 bits at bit 32 of `_fees`) back to zero; nothing else changes
    ledger._fees = fees - (amount << 32)
    assert extcall ledger.INumeraire(ledger.ASSET).transfer(receiver, amount), "pool: NMR transfer failed"
    log ledger.FeesClaimed(receiver=receiver, amount=amount)
    return amount


@external
@nonreentrant
def set_deposit_limit(deposit_limit: uint256):
    """
    @notice Cap the NMR the pool accepts (active plus pending deposits); owner only. Any
            limit of 2**96 - 1 NMR wei or more means unlimited.
    @param deposit_limit The new limit in NMR wei.
    """
    ownable._check_owner()
    ledger._deposit_limit_complement = ledger.UNLIMITED - min(deposit_limit, ledger.UNLIMITED)
    state: ledger.State = ledger._load_state()
    state.deposit_limited = deposit_limit < ledger.UNLIMITED
    ledger._store_state(state)
    log ledger.DepositLimitSet(deposit_limit=deposit_limit)


@external
@nonreentrant
def pause():
    """
    @notice Stop new deposit requests (owner or guardian). Redemptions and claims go on.
    """
    ledger._set_paused(True)


@external
@nonreentrant
def unpause():
    """
    @notice Accept deposit requests again (owner or guardian).
    """
    ledger._set_paused(False)


@external
@nonreentrant
def wind_down():
    """
    @notice Wind the pool down for good (owner or guardian): no new deposits from now on;
            the current round is the last one the pool plays. Every round up to it is still
            settled and requests convert on their usual schedule (no played round can be
            escaped); settling the last round closes the pool, after which redemptions
            convert at once at the final price.
    """
    ledger._check_owner_or_guardian()
    state: ledger.State = ledger._load_state()
    assert state.closure == empty(ledger.Closure), "pool: closed"
    settings: ledger.Settings = ledger._load_settings()
    assert settings.wind_down_round == 0, "pool: already winding down"
    settings.wind_down_round = ledger._current_round()
    ledger._store_settings(settings, ledger._load_owed())
    state.winding_down = True
    ledger._store_state(state)
    log ledger.WindDown(account=msg.sender, last_round=settings.wind_down_round)


@external
@nonreentrant
def emergency_exit():
    """
    @notice Close a pool whose settlement has stopped (anyone): once the pool's next round
            has waited longer than the factory's stall gap after it closed, nothing more is
            settled, pending requests can be taken back in full and shares redeem at once at
            the last settled price. The only path that forfeits unsettled results, and only
            the settler's absence opens it.
    """
    state: ledger.State = ledger._load_state()
    assert state.closure == empty(ledger.Closure), "pool: closed"
    assert ledger._is_stalled(state), "pool: not stalled"
    state.closure = ledger.Closure.EMERGENCY_EXIT
    ledger._store_state(state)
    log ledger.Closed(closure=ledger.Closure.EMERGENCY_EXIT, last_settled_round=state.last_settled_round)


@external
@view
def factory() -> address:
    """
    @notice The factory that created and governs this pool.
    """
    return ledger.FACTORY


@external
@view
def share_supply() -> uint256:
    """
    @notice The shares the price counts: those in circulation (`totalSupply`), converted
            deposits not yet claimed, and shares locked in pending redemptions.
    """
    return ledger._load_state().share_supply


@external
@view
def price_per_share() -> uint256:
    """
    @notice NMR per 1e18 shares at the current price (ledger.WAD), rounded down.
    """
    return ledger._price(ledger._load_state())


@external
@view
def current_round() -> uint256:
    """
    @notice The round open now (from the factory's schedule).
    """
    return ledger._current_round()


@external
@view
def is_stalled() -> bool:
    """
    @notice True when the pool's next round closed more than the factory's stall gap ago and
            is still unsettled: anyone may then call `emergency_exit`.
    """
    return ledger._is_stalled(ledger._load_state())


@external
@view
def pool_state() -> ledger.State:
    """
    @notice The pool's packed state in one read: assets, pending and reserved amounts,
            the share supply and pending shares, the last settled round, whether a deposit
            limit is set and whether the pool winds down, closure, paused.
    """
    return ledger._load_state()


@external
@view
def settings() -> ledger.Settings:
    """
    @notice The high-water mark, the fee, a pending fee increase and the wind-down round.
    """
    return ledger._load_settings()


@external
@view
def last_settled_round() -> uint256:
    """
    @notice The last round whose result has been applied.
    """
    return ledger._load_state().last_settled_round


@external
@view
def pending_deposit_assets() -> uint256:
    """
    @notice NMR of deposit requests not yet converted to shares.
    """
    return ledger._load_state().pending_deposit_assets


@external
@view
def pending_redeem_shares() -> uint256:
    """
    @notice Shares locked in redeem requests not yet converted to NMR.
    """
    return ledger._load_state().pending_redeem_shares


@external
@view
def reserved_redeem_assets() -> uint256:
    """
    @notice NMR set aside for converted redemptions not claimed yet.
    """
    return ledger._load_state().reserved_redeem_assets


@external
@view
def closure() -> ledger.Closure:
    """
    @notice Why the pool closed (empty while open): WOUND_DOWN, EMERGENCY_EXIT, DEPLETED.
    """
    return ledger._load_state().closure


@external
@view
def paused() -> bool:
    """
    @notice True while new deposit requests are refused.
    """
    return ledger._load_state().paused


@external
@view
def fees_owed() -> uint256:
    """
    @notice Performance fees earned by the owner and not yet claimed.
    """
    return ledger._load_owed() >> 128


@external
@view
def treasury_owed() -> uint256:
    """
    @notice Gains the treasury could not pay when they were settled, not collected yet.
    """
    return ledger._load_owed() % 2**128


@external
@view
def high_water_mark() -> uint256:
    """
    @notice The highest price per share (ledger.WAD) after fees ever reached; fees only above it.
    """
    return ledger._load_settings().high_water_mark


@external
@view
def fee_bps() -> uint256:
    """
    @notice The performance fee in basis points (charged at most at the factory's cap).
    """
    return ledger._load_settings().fee_bps


@external
@view
def pending_fee_bps() -> uint256:
    """
    @notice A proposed fee increase (0: none pending).
    """
    return ledger._load_settings().pending_fee_bps


@external
@view
def pending_fee_round() -> uint256:
    """
    @notice The first round a proposed fee increase applies to (0: none pending).
    """
    return ledger._load_settings().pending_fee_round


@external
@view
def wind_down_round() -> uint256:
    """
    @notice The last round a winding-down pool plays (0: not winding down).
    """
    return ledger._settings_wind_down_round()


@external
@view
def deposit_limit() -> uint256:
    """
    @notice The most NMR (active plus pending) the pool accepts; 2**256 - 1 when unlimited.
    """
    limit: uint256 = ledger._deposit_limit()
    return max_value(uint256) if limit == ledger.UNLIMITED else limit


@external
@view
def genesis() -> uint256:
    """
    @notice Start of round 0 (the factory's schedule).
    """
    return ledger.GENESIS


@external
@view
def round_length() -> uint256:
    """
    @notice Seconds per round (the factory's schedule).
    """
    return ledger.ROUND_LENGTH


@external
@view
def deposit_group(round: uint256) -> (uint256, uint256):
    """
    @notice The deposit group of `round`: NMR requested, and shares minted for it once converted.
    @param round The round the requests were made in.
    """
    group: uint256 = ledger._deposit_groups[round]
    return group % ledger.CONVERTED >> 128, group % 2**128


@external
@view
def redeem_group(round: uint256) -> (uint256, uint256):
    """
    @notice The redeem group of `round`: shares requested, and NMR they converted to.
    @param round The round the requests were made in.
    """
    group: uint256 = ledger._redeem_groups[round]
    return group % ledger.CONVERTED >> 128, group % 2**128


@external
@view
def pending_requests(controller: address, redeem_side: bool) -> DynArray[uint256[2], ledger.MAX_OPEN_REQUESTS]:
    """
    @notice The open (not yet claimable) requests of `controller` as [round, amount] pairs,
            oldest first: NMR for deposits, shares for redemptions.
    @param controller The request's controller.
    @param redeem_side False for deposits, True for redemptions.
    """
    side: uint256 = ledger.REDEEM_SIDE if redeem_side else ledger.DEPOSIT_SIDE
    state: ledger.State = ledger._load_state()
    result: DynArray[uint256[2], ledger.MAX_OPEN_REQUESTS] = []
    header: uint256 = ledger._requests[controller][side]
    for i: uint256 in range(header >> 240, (header >> 224) % 2**16, bound=ledger.MAX_OPEN_REQUESTS):
        entry: uint256 = ledger._entry_at(controller, side, i, header)
        if entry % 2**128 > 0 and not ledger._is_converted(entry >> 128, side, state.last_settled_round, state.closure):
            result.append([entry >> 128, entry % 2**128])
    return result
