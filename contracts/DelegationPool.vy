# pragma version ~=0.4.3
"""
@title NMR Delegation Pool
@notice One pool per Numerai model. Delegators deposit NMR and receive pool shares; each
        tournament round's payout or burn changes what every share is worth; the model owner
        earns a performance fee above a high-water mark.

        Requests are asynchronous (ERC-7540) because the results of ~20 closed rounds are
        public before they are settled: a deposit requested while round `o` is open bears
        rounds `o, o+1, ...` and converts to shares right after round `o-1` is settled; a
        redemption requested while round `o` is open bears rounds before `o` and converts
        to NMR right after round `o-1` is settled. Requests are grouped by the round they
        were made in (request id = that round), so settling converts a whole group in O(1);
        each controller's part of a group is worked out when the controller next touches
        the pool (a per-controller queue of its open requests, oldest first).

        Settlement of round `r` (strictly `last_settled_round + 1`, only once closed, only
        through the factory):
            amount = active_assets * |round_return| / 1e18
        gains are drawn from the PayoutTreasury (what it cannot pay now is owed to the pool
        and credited when it is collected), losses burned with NMR's burn, then the deposit
        and redeem groups of round `r + 1` convert at the resulting price.

        No played round can be escaped. A wind-down at round `s` stops new deposits but
        every round up to `s` is still settled and requests convert on their usual schedule
        (redemptions made later join the group of `s + 1`); once `s` is settled the pool is
        closed. Only the emergency exit (anyone, once no result has arrived for the stall
        gap after a round closed) forfeits unsettled rounds; a pool whose price falls below
        1e-6 NMR per share is closed as depleted, so share counts stay bounded.

        This contract holds the hot paths: requests, claims, settlement, ERC-20 shares and
        the ERC-7540 views. Everything else (initialisation, owner settings, the safety
        switches, the other views) is in `PoolExtension.vy`, reached by a delegatecall from
        the fallback: same storage (`pool_ledger.vy`), and the pool stays under EIP-170's
        24,576 bytes. Deployed as minimal proxies of one implementation: everything of one
        pool is set in `initialize`, never in the constructor (see DESIGN.md §8); what all
        pools of a factory share (the extension, the factory, NMR, the treasury, the
        schedule) is in the implementation's code as immutables (the factory deploys the
        implementation and the extension from blueprints), so no call reads it from storage.
@custom:security - Rounding favours the pool: gains, fees and conversions round down,
                   losses round up; a virtual share and a virtual asset (offset 1) keep
                   conversions fair at tiny supplies.
                 - Share counts are bounded: no deposit converts below MIN_PRICE, so
                   supply <= (assets + 1) * 1e6 < 2**104 (all NMR is 1.1e25 wei); every
                   packed field asserts that it fits.
                 - Assets are tracked in storage, never read from `balanceOf`, so NMR sent
                   straight to the pool (donations) changes nobody's claim.
                 - Only the factory settles (it checks who may, and passes its caps); the pool
                   checks the round, the cap (never above 5%) and the closure.
                 - The zero address is refused as receiver, controller and operator: mainnet
                   NMR would accept a transfer to it and the NMR would be lost.
                 - ERC-7540's previews must revert: neither half has them, so every such call
                   reverts. Shares have no EIP-2612 permit (ERC-7540 operators cover delegation).
                 - The extension cannot be changed (an immutable); its functions check their
                   own callers. Every function that moves NMR or shares, or writes a packed
                   word those functions also write (the owner's and guardian's settings and
                   switches), is `@nonreentrant` (one transient lock, shared by both halves).
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

exports: (
    erc20.transfer,
    erc20.transferFrom,
    erc20.approve,
    erc20.balanceOf,
    erc20.allowance,
    erc20.totalSupply,
    erc20.decimals,
    ownable_2step.owner,
    ownable_2step.pending_owner,
    ownable_2step.transfer_ownership,
    ownable_2step.accept_ownership,
    ledger.model_id,
    ledger.isOperator,
)

# the most bytes an extension function returns (`pending_requests`: 64 pairs)
MAX_EXTENSION_RETURN: constant(uint256) = 4_160

# the contract holding the pool's other functions (same storage, reached by delegatecall)
EXTENSION: public(immutable(address))


@deploy
def __init__(extension: address, factory: address, asset: address, treasury: address, genesis: uint256, round_length: uint256):
    """
    @notice Deploys the implementation (the factory does, from a blueprint, with its own
            schedule and addresses: every clone reads them from this code, not from storage).
            It can never be initialized or used itself.
    @param extension The PoolExtension every pool of this implementation delegates to (deployed
           with the same factory, asset, treasury and schedule).
    @param factory The factory that clones, initialises and settles the pools.
    @param asset The NMR token.
    @param treasury The PayoutTreasury gains are drawn from.
    @param genesis Start of round 0 (timestamp).
    @param round_length Seconds per round.
    """
    assert extension != empty(address), "pool: zero extension"
    ownable.__init__()
    ownable_2step.__init__()
    erc20.__init__("NMR Delegation Pool", "dNMR", 18, "NMR Delegation Pool", "1")
    ledger.__init__(factory, asset, treasury, genesis, round_length)
    EXTENSION = extension


@external
@raw_return
def __default__() -> Bytes[MAX_EXTENSION_RETURN]:
    """
    @notice Every other function of the pool is in the extension: run it on this pool's storage.
    """
    return raw_call(EXTENSION, msg.data, max_outsize=MAX_EXTENSION_RETURN, is_delegate_call=True)


# ---- requests ----


@external
@nonreentrant
def requestDeposit(assets: uint256, controller: address, owner: address) -> uint256:
    """
    @notice Request to deposit `assets` NMR of `owner`; `controller` will claim the shares.
            The NMR moves in now and bears rounds from the current one on. It converts to
            shares right after the previous round is settled (at once if that round is).
    @dev The caller must be `owner` or its operator, and `controller` or its operator: nobody
         can file requests in someone else's queue.
    @param assets The NMR to deposit (owner must have approved the pool).
    @param controller The account that owns the request and claims the shares.
    @param owner The account the NMR comes from.
    @return The request id: the current round.
    """
    state: ledger.State = ledger._load_state()
    assert state.closure == empty(ledger.Closure), "pool: closed"
    assert not state.winding_down, "pool: winding down"
    assert not state.paused, "pool: paused"
    assert assets > 0, "pool: zero assets"
    assert controller != empty(address), "pool: zero controller"
    ledger._check_caller_for(owner)
    ledger._check_caller_for(controller)
    if state.deposit_limited:
        assert state.total_assets + state.pending_deposit_assets + assets <= ledger._deposit_limit(), "pool: deposit limit exceeded"
    assert extcall ledger.INumeraire(ledger.ASSET).transferFrom(owner, self, assets), "pool: NMR transfer failed"

    request_round: uint256 = ledger._current_round()
    if request_round <= state.last_settled_round + 1:
        # caught up: nothing to wait for, convert now; round down: dust stays in the pool
        shares: uint256 = ledger._to_shares(assets, state, False)
        state.total_assets += assets
        state.share_supply += shares
        ledger._add_claimable(controller, ledger.DEPOSIT_SIDE, assets, shares)
    else:
        ledger._enqueue(controller, ledger.DEPOSIT_SIDE, request_round, assets)
        ledger._deposit_groups[request_round] = ledger._add_high(ledger._deposit_groups[request_round], assets)
        state.pending_deposit_assets += assets
    ledger._store_state(state)
    log ledger.DepositRequest(controller=controller, owner=owner, requestId=request_round, sender=msg.sender, assets=assets)
    return request_round


@external
@nonreentrant
def requestRedeem(shares: uint256, controller: address, owner: address) -> uint256:
    """
    @notice Request to redeem `shares` of `owner`; `controller` will claim the NMR.
            The shares are taken now; they bear the rounds before the current one and
            convert to NMR right after the previous round is settled (at once if it is, or
            if the pool is closed). While the pool winds down, a request made after its last
            round joins the group of the round after it, converting when the last round is
            settled. Works while paused.
    @dev The caller must be `owner` (or its operator, or a spender with enough share
         allowance), and `controller` or its operator.
    @param shares The shares to redeem.
    @param controller The account that owns the request and claims the NMR.
    @param owner The account the shares come from.
    @return The request id: the round whose group the request joined.
    """
    assert shares > 0, "pool: zero shares"
    assert controller != empty(address), "pool: zero controller"
    ledger._check_caller_for(controller)
    if owner != msg.sender and not ledger.isOperator[owner][msg.sender]:
        erc20._spend_allowance(owner, msg.sender, shares)
    # checked before converting: the shares are priced while they still count (burned below)
    assert erc20.balanceOf[owner] >= shares, "erc20: burn amount exceeds balance"
    last_settled_round: uint256 = 0
    closed: bool = False
    winding_down: bool = False
    last_settled_round, closed, winding_down = ledger._conversion_point()
    request_round: uint256 = ledger._current_round()
    if winding_down:
        # nothing after the last round is played: later requests wait for it, together
        request_round = min(request_round, ledger._settings_wind_down_round() + 1)
    if closed or request_round <= last_settled_round + 1:
        # closed or caught up: convert now at the current price (the shares still count, and
        # leave the supply with their NMR); round down: dust stays
        state: ledger.State = ledger._load_state()
        assets: uint256 = ledger._to_assets(shares, state, False)
        state.total_assets -= assets
        state.share_supply -= shares
        state.reserved_redeem_assets += assets
        ledger._add_claimable(controller, ledger.REDEEM_SIDE, shares, assets)
        ledger._store_state(state)
    else:
        # waiting on its round: only `_shares` changes (no other state word is read)
        ledger._enqueue(controller, ledger.REDEEM_SIDE, request_round, shares)
        ledger._redeem_groups[request_round] = ledger._add_high(ledger._redeem_groups[request_round], shares)
        ledger._add_pending_redeem_shares(shares)
    # the shares leave circulation now (a converted redemption's are gone; a pending one's
    # are counted in pending_redeem_shares until it converts or is cancelled)
    erc20._burn(owner, shares)
    log ledger.RedeemRequest(controller=controller, owner=owner, requestId=request_round, sender=msg.sender, shares=shares)
    return request_round


@external
@nonreentrant
def cancelDepositRequest(request_id: uint256, controller: address, receiver: address) -> uint256:
    """
    @notice Take back a pending deposit request in full. Allowed while the round it was
            made in is still open, or for any pending request once the pool is closed.
    @param request_id The round the request was made in.
    @param controller The request's controller (the caller or one of its operators).
    @param receiver Where the NMR goes (never the zero address).
    @return The NMR returned.
    """
    ledger._check_caller_for(controller)
    assert receiver != empty(address), "pool: zero receiver"
    state: ledger.State = ledger._load_state()
    assets: uint256 = ledger._cancel(controller, ledger.DEPOSIT_SIDE, request_id, state)
    ledger._deposit_groups[request_id] -= assets << 128
    state.pending_deposit_assets -= assets
    ledger._store_state(state)
    assert extcall ledger.INumeraire(ledger.ASSET).transfer(receiver, assets), "pool: NMR transfer failed"
    log ledger.DepositRequestCancelled(controller=controller, requestId=request_id, receiver=receiver, assets=assets)
    return assets


@external
@nonreentrant
def cancelRedeemRequest(request_id: uint256, controller: address, receiver: address) -> uint256:
    """
    @notice Take back the shares of a pending redeem request. Allowed while the round it
            was made in is still open, or for any pending request once the pool is closed
            (then redeem again: it converts at once at the final price).
    @param request_id The round the request was made in.
    @param controller The request's controller (the caller or one of its operators).
    @param receiver Where the shares go (never the zero address).
    @return The shares returned.
    """
    ledger._check_caller_for(controller)
    assert receiver != empty(address), "pool: zero receiver"
    state: ledger.State = ledger._load_state()
    shares: uint256 = ledger._cancel(controller, ledger.REDEEM_SIDE, request_id, state)
    ledger._redeem_groups[request_id] -= shares << 128
    state.pending_redeem_shares -= shares
    ledger._store_state(state)
    erc20._mint(receiver, shares)
    log ledger.RedeemRequestCancelled(controller=controller, requestId=request_id, receiver=receiver, shares=shares)
    return shares


@external
@nonreentrant
def deposit(assets: uint256, receiver: address, controller: address = msg.sender) -> uint256:
    """
    @notice Claim the shares bought by `assets` of `controller`'s converted deposits.
    @param assets The part of the claimable deposit (in NMR) to claim.
    @param receiver Who receives the shares (never the zero address).
    @param controller The request's controller (the caller or one of its operators).
    @return The shares sent to `receiver`.
    """
    assert assets > 0, "pool: zero assets"
    return ledger._claim(ledger.DEPOSIT_SIDE, assets, True, receiver, controller)


@external
@nonreentrant
def mint(shares: uint256, receiver: address, controller: address = msg.sender) -> uint256:
    """
    @notice Claim `shares` of `controller`'s converted deposits.
    @param shares The shares to claim.
    @param receiver Who receives the shares (never the zero address).
    @param controller The request's controller (the caller or one of its operators).
    @return The part of the claimable deposit (in NMR) used up.
    """
    assert shares > 0, "pool: zero shares"
    return ledger._claim(ledger.DEPOSIT_SIDE, shares, False, receiver, controller)


@external
@nonreentrant
def redeem(shares: uint256, receiver: address, controller: address) -> uint256:
    """
    @notice Claim the NMR of `shares` of `controller`'s converted redemptions.
    @param shares The redeemed shares to claim for.
    @param receiver Who receives the NMR (never the zero address).
    @param controller The request's controller (the caller or one of its operators).
    @return The NMR sent to `receiver`.
    """
    assert shares > 0, "pool: zero shares"
    return ledger._claim(ledger.REDEEM_SIDE, shares, True, receiver, controller)


@external
@nonreentrant
def withdraw(assets: uint256, receiver: address, controller: address) -> uint256:
    """
    @notice Claim `assets` NMR of `controller`'s converted redemptions.
    @param assets The NMR to claim.
    @param receiver Who receives the NMR (never the zero address).
    @param controller The request's controller (the caller or one of its operators).
    @return The redeemed shares used up.
    """
    assert assets > 0, "pool: zero assets"
    return ledger._claim(ledger.REDEEM_SIDE, assets, False, receiver, controller)


@external
@nonreentrant
def settle(round: uint256, round_return: int256, results_digest: bytes32, return_cap: uint256, fee_cap_bps: uint256):
    """
    @notice Apply the result of `round` and convert the requests made in `round + 1`.
            amount = active_assets * |round_return| / 1e18; gains are drawn from the
            treasury (what it cannot pay is owed to the pool; the fee is charged above the
            high-water mark on what is paid), losses are burned. Settling a winding-down
            pool's last round closes it; a price left below ledger.MIN_PRICE closes it as depleted.
    @dev Only the factory calls it (it checks who may settle, and passes its caps).
    @param round Must be `last_settled_round + 1` and closed.
    @param round_return Signed ledger.WAD fraction; |round_return| <= the return cap.
    @param results_digest keccak256 of the canonical results file of the round (logged).
    @param return_cap The factory's cap on |round_return| (never above 5%).
    @param fee_cap_bps The factory's fee cap: the fee charged never exceeds it.
    """
    assert msg.sender == ledger.FACTORY, "pool: not the factory"
    state: ledger.State = ledger._load_state()
    assert state.closure == empty(ledger.Closure), "pool: closed"
    assert round == state.last_settled_round + 1, "pool: not the next round"
    assert round < ledger._current_round(), "pool: round not closed"
    assert ledger._abs(round_return) <= min(return_cap, ledger.MAX_RETURN_CAP), "pool: return above cap"

    settings: ledger.Settings = ledger._load_settings()
    settings_before: ledger.Settings = settings
    settings = ledger._due_fee_increase(round, settings)
    if settings.pending_fee_round != settings_before.pending_fee_round:  # the increase applied
        log ledger.FeeChanged(old_fee_bps=settings_before.fee_bps, new_fee_bps=settings.fee_bps)
    # the fee charged never exceeds the factory's cap in force (an admin may have lowered it)
    fee_bps: uint256 = min(settings.fee_bps, fee_cap_bps)
    # what the treasury owes from earlier rounds is credited first, at the price it was earned at
    credited: uint256 = 0
    owed: uint256 = 0
    credited, owed = ledger._collect_owed(ledger._load_owed(), fee_bps, state, settings)
    if credited > 0:
        state.total_assets += credited
        settings.high_water_mark = ledger._raised_mark(settings.high_water_mark, ledger._price(state))
    assets_before: uint256 = state.total_assets
    paid: uint256 = 0
    unpaid: uint256 = 0
    burned: uint256 = 0
    fee: uint256 = 0
    if round_return > 0:
        # round down: the pool never draws more than earned
        gain: uint256 = math._mul_div(assets_before, convert(round_return, uint256), ledger.WAD, False)
        paid = ledger._draw(gain)
        unpaid = gain - paid
        fee = ledger._performance_fee(assets_before, assets_before + paid, fee_bps, state, settings)
        state.total_assets = assets_before + paid - fee
        owed = ledger._pair((owed >> 128) + fee, owed % 2**128 + unpaid)
    elif round_return < 0:
        # round up: a loss is never understated
        burned = math._mul_div(assets_before, ledger._abs(round_return), ledger.WAD, True)
        state.total_assets = assets_before - burned
        if burned > 0:
            assert extcall ledger.INumeraire(ledger.ASSET).mint(burned), "pool: NMR burn failed"
    assets_after: uint256 = state.total_assets
    price: uint256 = ledger._price(state)
    settings.high_water_mark = ledger._raised_mark(settings.high_water_mark, price)
    state.last_settled_round = round
    depleted: bool = price < ledger.MIN_PRICE
    # the groups of round + 1, deposits first, then redemptions, at the price just settled; a
    # depleted pool converts no deposit (they stay pending, to be taken back in full)
    group: uint256 = round + 1
    deposit_assets: uint256 = 0
    deposit_shares: uint256 = 0
    if not depleted:
        deposit_assets = ledger._deposit_groups[group] >> 128
    if deposit_assets > 0:
        # round down: dust stays in the pool
        deposit_shares = ledger._to_shares(deposit_assets, state, False)
        state.total_assets += deposit_assets
        state.pending_deposit_assets -= deposit_assets
        state.share_supply += deposit_shares
        ledger._deposit_groups[group] = ledger._pair(ledger._field(deposit_assets, 127), deposit_shares) | ledger.CONVERTED
    redeem_shares: uint256 = ledger._redeem_groups[group] >> 128
    redeem_assets: uint256 = 0
    if redeem_shares > 0:
        # round down: dust stays in the pool
        redeem_assets = ledger._to_assets(redeem_shares, state, False)
        state.total_assets -= redeem_assets
        state.pending_redeem_shares -= redeem_shares
        state.share_supply -= redeem_shares
        state.reserved_redeem_assets += redeem_assets
        ledger._redeem_groups[group] = ledger._pair(ledger._field(redeem_shares, 127), redeem_assets) | ledger.CONVERTED
    if depleted:
        state.closure = ledger.Closure.DEPLETED
    elif round == settings.wind_down_round:
        state.closure = ledger.Closure.WOUND_DOWN
    ledger._store_settings(settings, owed)
    ledger._store_state(state)
    log ledger.Settled(
        round=round,
        round_return=round_return,
        results_digest=results_digest,
        paid=paid,
        unpaid=unpaid,
        burned=burned,
        fee=fee,
        total_assets=assets_after,
        price_per_share=price,
        high_water_mark=settings.high_water_mark,
        deposit_assets=deposit_assets,
        deposit_shares=deposit_shares,
        redeem_shares=redeem_shares,
        redeem_assets=redeem_assets,
    )
    if state.closure != empty(ledger.Closure):
        log ledger.Closed(closure=state.closure, last_settled_round=round)


@external
@view
def totalAssets() -> uint256:
    """
    @notice NMR backing the shares (excludes pending deposits, NMR set aside for
            redemptions, fees owed, and gains the treasury still owes).
    """
    return ledger._load_state().total_assets


@external
@view
def convertToShares(assets: uint256) -> uint256:
    """
    @notice Shares `assets` NMR is worth at the current price (rounded down).
    @param assets An amount of NMR.
    """
    return ledger._to_shares(assets, ledger._load_state(), False)


@external
@view
def convertToAssets(shares: uint256) -> uint256:
    """
    @notice NMR `shares` are worth at the current price (rounded down).
    @param shares An amount of shares.
    """
    return ledger._to_assets(shares, ledger._load_state(), False)


@external
@view
def maxDeposit(controller: address) -> uint256:
    """
    @notice ERC-7540: the NMR of `controller`'s converted deposits that can be claimed.
    @param controller The request's controller.
    """
    return ledger._claimable_view(controller, ledger.DEPOSIT_SIDE)[0]


@external
@view
def maxMint(controller: address) -> uint256:
    """
    @notice ERC-7540: the shares of `controller`'s converted deposits that can be claimed.
    @param controller The request's controller.
    """
    return ledger._claimable_view(controller, ledger.DEPOSIT_SIDE)[1]


@external
@view
def maxRedeem(controller: address) -> uint256:
    """
    @notice ERC-7540: the shares of `controller`'s converted redemptions that can be claimed.
    @param controller The request's controller.
    """
    return ledger._claimable_view(controller, ledger.REDEEM_SIDE)[0]


@external
@view
def maxWithdraw(controller: address) -> uint256:
    """
    @notice ERC-7540: the NMR of `controller`'s converted redemptions that can be claimed.
    @param controller The request's controller.
    """
    return ledger._claimable_view(controller, ledger.REDEEM_SIDE)[1]


@external
@view
def pendingDepositRequest(requestId: uint256, controller: address) -> uint256:
    """
    @notice NMR of `controller`'s deposit request `requestId` not yet converted.
    @param requestId The round the request was made in.
    @param controller The request's controller.
    """
    return ledger._pending_amount(controller, ledger.DEPOSIT_SIDE, requestId)


@external
@view
def pendingRedeemRequest(requestId: uint256, controller: address) -> uint256:
    """
    @notice Shares of `controller`'s redeem request `requestId` not yet converted.
    @param requestId The round the request was made in.
    @param controller The request's controller.
    """
    return ledger._pending_amount(controller, ledger.REDEEM_SIDE, requestId)


@external
@view
def claimableDepositRequest(requestId: uint256, controller: address) -> uint256:
    """
    @notice NMR of `controller`'s converted deposits that can be claimed. Claims are
            fungible across a controller's requests, so this is the same for every id.
    @param requestId Any request id of the controller.
    @param controller The request's controller.
    """
    return ledger._claimable_view(controller, ledger.DEPOSIT_SIDE)[0]


@external
@view
def claimableRedeemRequest(requestId: uint256, controller: address) -> uint256:
    """
    @notice Shares of `controller`'s converted redemptions that can be claimed. Claims are
            fungible across a controller's requests, so this is the same for every id.
    @param requestId Any request id of the controller.
    @param controller The request's controller.
    """
    return ledger._claimable_view(controller, ledger.REDEEM_SIDE)[0]


@external
@view
def asset() -> address:
    """
    @notice The NMR token deposits are made in.
    """
    return ledger.ASSET
