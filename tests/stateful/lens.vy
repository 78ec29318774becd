# pragma version ~=0.4.3
"""
@title Pool lens (tests only)
@notice Reads every view the differential tests compare in one call, so a step of the
        stateful machine costs one eth_call instead of hundreds. Layout: see `snapshot.py`.
"""

interface IPool:
    def totalAssets() -> uint256: view
    def totalSupply() -> uint256: view
    def pending_deposit_assets() -> uint256: view
    def pending_redeem_shares() -> uint256: view
    def reserved_redeem_assets() -> uint256: view
    def fees_owed() -> uint256: view
    def last_settled_round() -> uint256: view
    def last_settled_at() -> uint256: view
    def high_water_mark() -> uint256: view
    def fee_bps() -> uint256: view
    def pending_fee_bps() -> uint256: view
    def pending_fee_round() -> uint256: view
    def deposit_limit() -> uint256: view
    def paused() -> bool: view
    def is_shutdown() -> bool: view
    def price_per_share() -> uint256: view
    def current_round() -> uint256: view
    def is_stalled() -> bool: view
    def owner() -> address: view
    def pending_owner() -> address: view
    def convertToShares(assets: uint256) -> uint256: view
    def convertToAssets(shares: uint256) -> uint256: view
    def balanceOf(account: address) -> uint256: view
    def nonces(account: address) -> uint256: view
    def allowance(owner: address, spender: address) -> uint256: view
    def isOperator(controller: address, operator: address) -> bool: view
    def maxDeposit(controller: address) -> uint256: view
    def maxMint(controller: address) -> uint256: view
    def maxRedeem(controller: address) -> uint256: view
    def maxWithdraw(controller: address) -> uint256: view
    def claimableDepositRequest(request_id: uint256, controller: address) -> uint256: view
    def claimableRedeemRequest(request_id: uint256, controller: address) -> uint256: view
    def pendingDepositRequest(request_id: uint256, controller: address) -> uint256: view
    def pendingRedeemRequest(request_id: uint256, controller: address) -> uint256: view
    def pending_requests(controller: address, redeem_side: bool) -> DynArray[uint256[2], MAX_READ_REQUESTS]: view
    def deposit_group_assets(round: uint256) -> uint256: view
    def deposit_group_shares(round: uint256) -> uint256: view
    def redeem_group_shares(round: uint256) -> uint256: view
    def redeem_group_assets(round: uint256) -> uint256: view
    def results_digest(round: uint256) -> bytes32: view


interface IToken:
    def balanceOf(account: address) -> uint256: view


# words returned; sized to the machine's histories (a larger buffer makes py-evm crawl)
MAX_OUT: constant(uint256) = 1024
# open requests read per controller and side (the pool allows 64; histories stay far below)
MAX_READ_REQUESTS: constant(uint256) = 24


@external
@view
def read(
    pool: IPool,
    nmr: IToken,
    treasury: address,
    accounts: DynArray[address, 24],
    others: DynArray[address, 24],
    owners: DynArray[address, 128],
    spenders: DynArray[address, 128],
    rounds: DynArray[uint256, 128],
    request_controllers: DynArray[address, 256],
    request_rounds: DynArray[uint256, 256],
) -> DynArray[uint256, MAX_OUT]:
    out: DynArray[uint256, MAX_OUT] = [
        staticcall pool.totalAssets(),
        staticcall pool.totalSupply(),
        staticcall pool.pending_deposit_assets(),
        staticcall pool.pending_redeem_shares(),
        staticcall pool.reserved_redeem_assets(),
        staticcall pool.fees_owed(),
        staticcall pool.last_settled_round(),
        staticcall pool.last_settled_at(),
        staticcall pool.high_water_mark(),
        staticcall pool.fee_bps(),
        staticcall pool.pending_fee_bps(),
        staticcall pool.pending_fee_round(),
        staticcall pool.deposit_limit(),
        convert(staticcall pool.paused(), uint256),
        convert(staticcall pool.is_shutdown(), uint256),
        staticcall pool.price_per_share(),
        staticcall pool.current_round(),
        convert(staticcall pool.is_stalled(), uint256),
        convert(staticcall pool.owner(), uint256),
        convert(staticcall pool.pending_owner(), uint256),
        staticcall nmr.balanceOf(pool.address),
        staticcall nmr.balanceOf(treasury),
        block.timestamp,
        staticcall pool.convertToShares(10**18),
        staticcall pool.convertToAssets(10**18),
        staticcall pool.balanceOf(pool.address),
    ]
    for account: address in accounts:
        out.append(staticcall nmr.balanceOf(account))
        out.append(staticcall pool.balanceOf(account))
        out.append(staticcall pool.maxDeposit(account))
        out.append(staticcall pool.maxMint(account))
        out.append(staticcall pool.maxRedeem(account))
        out.append(staticcall pool.maxWithdraw(account))
        out.append(staticcall pool.claimableDepositRequest(0, account))
        out.append(staticcall pool.claimableRedeemRequest(0, account))
        out.append(staticcall pool.nonces(account))
        for side: bool in [False, True]:
            open_requests: DynArray[uint256[2], MAX_READ_REQUESTS] = staticcall pool.pending_requests(account, side)
            out.append(len(open_requests))
            for pair: uint256[2] in open_requests:
                out.append(pair[0])
                out.append(pair[1])
    for account: address in others:
        out.append(staticcall nmr.balanceOf(account))
        out.append(staticcall pool.balanceOf(account))
    for i: uint256 in range(len(owners), bound=128):
        out.append(staticcall pool.allowance(owners[i], spenders[i]))
        out.append(convert(staticcall pool.isOperator(owners[i], spenders[i]), uint256))
    for r: uint256 in rounds:
        out.append(staticcall pool.deposit_group_assets(r))
        out.append(staticcall pool.deposit_group_shares(r))
        out.append(staticcall pool.redeem_group_shares(r))
        out.append(staticcall pool.redeem_group_assets(r))
        out.append(convert(staticcall pool.results_digest(r), uint256))
    for i: uint256 in range(len(request_controllers), bound=256):
        out.append(staticcall pool.pendingDepositRequest(request_rounds[i], request_controllers[i]))
        out.append(staticcall pool.pendingRedeemRequest(request_rounds[i], request_controllers[i]))
    return out
