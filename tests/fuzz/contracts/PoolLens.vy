# pragma version ~=0.4.3
"""
@title Pool lens (tests only)
@notice Reads, in one call, every view of the pool that computes something (its storage
        getters are covered by the fuzzer's storage comparison). Layout: see `views.py`.
"""

interface IPool:
    def totalAssets() -> uint256: view
    def totalSupply() -> uint256: view
    def price_per_share() -> uint256: view
    def current_round() -> uint256: view
    def is_stalled() -> bool: view
    def convertToShares(assets: uint256) -> uint256: view
    def convertToAssets(shares: uint256) -> uint256: view
    def balanceOf(account: address) -> uint256: view
    def maxDeposit(controller: address) -> uint256: view
    def maxMint(controller: address) -> uint256: view
    def maxRedeem(controller: address) -> uint256: view
    def maxWithdraw(controller: address) -> uint256: view
    def claimableDepositRequest(request_id: uint256, controller: address) -> uint256: view
    def claimableRedeemRequest(request_id: uint256, controller: address) -> uint256: view
    def pendingDepositRequest(request_id: uint256, controller: address) -> uint256: view
    def pendingRedeemRequest(request_id: uint256, controller: address) -> uint256: view
    def pending_requests(controller: address, redeem_side: bool) -> DynArray[uint256[2], MAX_READ_REQUESTS]: view
    def share_supply() -> uint256: view
    def last_settled_round() -> uint256: view
    def pending_deposit_assets() -> uint256: view
    def pending_redeem_shares() -> uint256: view
    def reserved_redeem_assets() -> uint256: view
    def closure() -> uint256: view
    def paused() -> bool: view
    def fees_owed() -> uint256: view
    def treasury_owed() -> uint256: view
    def high_water_mark() -> uint256: view
    def fee_bps() -> uint256: view
    def pending_fee_bps() -> uint256: view
    def pending_fee_round() -> uint256: view
    def wind_down_round() -> uint256: view
    def deposit_limit() -> uint256: view
    def pool_state() -> (uint256, uint256, uint256, uint256, uint256, uint256, bool, bool, uint256, bool): view
    def settings() -> (uint256, uint256, uint256, uint256, uint256): view
    def deposit_group(round: uint256) -> (uint256, uint256): view
    def redeem_group(round: uint256) -> (uint256, uint256): view


# words returned; sized to the machine's histories (a larger buffer makes py-evm crawl)
MAX_OUT: constant(uint256) = 512
# open requests read per controller and side (the pool allows 64; histories stay far below)
MAX_READ_REQUESTS: constant(uint256) = 32


@external
@view
def read(
    pool: IPool,
    controllers: DynArray[address, 8],
    request_controllers: DynArray[address, 64],
    request_rounds: DynArray[uint256, 64],
    group_rounds: DynArray[uint256, 24],
) -> DynArray[uint256, MAX_OUT]:
    out: DynArray[uint256, MAX_OUT] = [
        staticcall pool.totalAssets(),
        staticcall pool.totalSupply(),
        staticcall pool.price_per_share(),
        staticcall pool.current_round(),
        convert(staticcall pool.is_stalled(), uint256),
        staticcall pool.convertToShares(10**18),
        staticcall pool.convertToAssets(10**18),
        block.timestamp,
        staticcall pool.share_supply(),
        staticcall pool.last_settled_round(),
        staticcall pool.pending_deposit_assets(),
        staticcall pool.pending_redeem_shares(),
        staticcall pool.reserved_redeem_assets(),
        staticcall pool.closure(),
        convert(staticcall pool.paused(), uint256),
        staticcall pool.fees_owed(),
        staticcall pool.treasury_owed(),
        staticcall pool.high_water_mark(),
        staticcall pool.fee_bps(),
        staticcall pool.pending_fee_bps(),
        staticcall pool.pending_fee_round(),
        staticcall pool.wind_down_round(),
        staticcall pool.deposit_limit(),
    ]
    # the packed words, unpacked in one read each
    s0: uint256 = 0
    s1: uint256 = 0
    s2: uint256 = 0
    s3: uint256 = 0
    s4: uint256 = 0
    s5: uint256 = 0
    b6: bool = False
    b7: bool = False
    s8: uint256 = 0
    b9: bool = False
    s0, s1, s2, s3, s4, s5, b6, b7, s8, b9 = staticcall pool.pool_state()
    out.append(s0)
    out.append(s1)
    out.append(s2)
    out.append(s3)
    out.append(s4)
    out.append(s5)
    out.append(convert(b6, uint256))
    out.append(convert(b7, uint256))
    out.append(s8)
    out.append(convert(b9, uint256))
    s0, s1, s2, s3, s4 = staticcall pool.settings()
    out.append(s0)
    out.append(s1)
    out.append(s2)
    out.append(s3)
    out.append(s4)
    for group_round: uint256 in group_rounds:
        s0, s1 = staticcall pool.deposit_group(group_round)
        out.append(s0)
        out.append(s1)
        s0, s1 = staticcall pool.redeem_group(group_round)
        out.append(s0)
        out.append(s1)
    for controller: address in controllers:
        out.append(staticcall pool.balanceOf(controller))
        out.append(staticcall pool.maxDeposit(controller))
        out.append(staticcall pool.maxMint(controller))
        out.append(staticcall pool.maxRedeem(controller))
        out.append(staticcall pool.maxWithdraw(controller))
        out.append(staticcall pool.claimableDepositRequest(0, controller))
        out.append(staticcall pool.claimableRedeemRequest(0, controller))
        for side: bool in [False, True]:
            open_requests: DynArray[uint256[2], MAX_READ_REQUESTS] = staticcall pool.pending_requests(controller, side)
            out.append(len(open_requests))
            for pair: uint256[2] in open_requests:
                out.append(pair[0])
                out.append(pair[1])
    for i: uint256 in range(len(request_controllers), bound=64):
        out.append(staticcall pool.pendingDepositRequest(request_rounds[i], request_controllers[i]))
        out.append(staticcall pool.pendingRedeemRequest(request_rounds[i], request_controllers[i]))
    return out
