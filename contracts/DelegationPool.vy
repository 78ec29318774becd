# pragma version ~=0.4.3
# pragma optimize codesize
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

        Settlement of round `r` (strictly `last_settled_round + 1`, only once closed):
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

        Deployed as minimal proxies of one implementation: everything a pool needs is set
        in `initialize`, never in the constructor (see DESIGN.md §8).
@custom:security - Rounding favours the pool: gains, fees and conversions round down,
                   losses round up; a virtual share and a virtual asset (offset 1) keep
                   conversions fair at tiny supplies.
                 - Share counts are bounded: no deposit converts below MIN_PRICE, so
                   supply <= (assets + 1) * 1e6 < 2**128 (all NMR is 1.1e25 wei); every
                   packed word asserts that its halves fit.
                 - The zero address is refused as receiver, controller and operator: mainnet
                   NMR would accept a transfer to it and the NMR would be lost.
                 - ERC-7540's previews must revert: the pool has no preview functions (and no
                   fallback), so every such call reverts. Shares have no EIP-2612 permit
                   (ERC-7540 operators cover delegation); both keep the pool under EIP-170's
                   24,576-byte limit.
                 - Assets are tracked in storage, never read from `balanceOf`, so NMR sent
                   straight to the pool (donations) changes nobody's claim.
                 - Trusts the factory (roles, caps, schedule) and the treasury it names;
                   the settler chooses the round return, bounded by the factory's cap.
                 - Every function that moves NMR or shares is `@nonreentrant`.
"""

from ethereum.ercs import IERC20
from ethereum.ercs import IERC165

from snekmate.auth import ownable
from snekmate.auth import ownable_2step
from snekmate.tokens import erc20
from snekmate.utils import math

initializes: ownable
initializes: ownable_2step[ownable := ownable]
initializes: erc20[ownable := ownable]

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
)

# ---- interfaces ----

interface INumeraire:
    def transfer(to: address, amount: uint256) -> bool: nonpayable
    def transferFrom(owner: address, to: address, amount: uint256) -> bool: nonpayable
    def mint(_value: uint256) -> bool: nonpayable


interface IPoolFactory:
    def nmr() -> address: view
    def treasury() -> address: view
    def genesis() -> uint256: view
    def round_length() -> uint256: view
    def return_cap() -> uint256: view
    def fee_cap_bps() -> uint256: view
    def fee_delay_rounds() -> uint256: view
    def stall_gap() -> uint256: view
    def is_settler(account: address) -> bool: view
    def is_guardian(account: address) -> bool: view


interface IPayoutTreasury:
    def pay(amount: uint256) -> uint256: nonpayable


# ---- constants ----

# 1e18 = 100%: the unit of round returns and of the price per share
WAD: constant(uint256) = 10**18
# 10,000 basis points = 100%
BPS: constant(uint256) = 10_000
# hard ceiling of any return cap the factory may set: 5% per round, like Numerai's payout cap
MAX_RETURN_CAP: constant(uint256) = 5 * 10**16
# virtual shares and assets added to every conversion (inflation/rounding guard)
VIRTUAL_OFFSET: constant(uint256) = 1
# a controller may hold this many open requests per side (one per round at most)
MAX_OPEN_REQUESTS: constant(uint256) = 64
# request queue sides
DEPOSIT_SIDE: constant(uint256) = 0
REDEEM_SIDE: constant(uint256) = 1
# queue entries and bounds pack two 128-bit halves into one slot (NMR < 2**84, rounds < 2**64,
# shares < 2**104 thanks to MIN_PRICE); `_pack` asserts that both halves fit
HALF: constant(uint256) = 2**128
# no deposit converts below this price (WAD: 1e-6 NMR per share); a settlement that leaves the
# price below it closes the pool as depleted. It bounds shares per NMR wei by 1e6.
MIN_PRICE: constant(uint256) = 10**12

# ERC-165 interface ids
ERC165_ID: constant(bytes4) = 0x01ffc9a7
ERC7540_OPERATOR_ID: constant(bytes4) = 0xe3bc4e65
ERC7540_DEPOSIT_ID: constant(bytes4) = 0xce3bbe50
ERC7540_REDEEM_ID: constant(bytes4) = 0x620ee8e4
ERC7575_ID: constant(bytes4) = 0x2f0a18c5

# ---- flags ----

# why a pool closed (empty while open)
flag Closure:
    WOUND_DOWN
    EMERGENCY_EXIT
    DEPLETED

# ---- storage: identity ----

# the factory that created and governs this pool (empty on the implementation)
factory: public(IPoolFactory)
# the NMR token deposits are made in
asset: public(address)
# the Numerai model this pool backs (one pool per model)
model_id: public(bytes32)
# share token metadata, per pool (snekmate's immutables would be shared by every clone)
_name: String[64]
_symbol: String[32]
# true once initialized; set in the implementation's constructor so it can never be used
_initialized: bool
# the factory's round schedule, copied at initialisation (it never changes)
genesis: public(uint256)
round_length: public(uint256)

# ---- storage: accounting ----

# NMR backing the shares in circulation (the "active assets"); excludes pending deposits,
# NMR set aside for converted redemptions, and fees owed
total_assets: uint256
# NMR of deposit requests not yet converted to shares
pending_deposit_assets: public(uint256)
# shares locked in redeem requests not yet converted to NMR (held by the pool)
pending_redeem_shares: public(uint256)
# NMR set aside for converted redemptions that controllers have not claimed yet
reserved_redeem_assets: public(uint256)
# performance fees earned by the owner and not yet claimed
fees_owed: public(uint256)
# the last round whose result has been applied
last_settled_round: public(uint256)
# gains the treasury could not pay when they were settled; credited when collected
treasury_owed: public(uint256)
# results digest of each settled round (keccak256 of the engine's canonical results file)
results_digest: public(HashMap[uint256, bytes32])
# highest price per share (WAD) after fees ever reached; fees are charged only above it
high_water_mark: public(uint256)

# ---- storage: request groups (keyed by the round the requests were made in) ----

# NMR requested for deposit in a round / shares minted for it when the group converted
deposit_group_assets: public(HashMap[uint256, uint256])
deposit_group_shares: public(HashMap[uint256, uint256])
# shares requested for redemption in a round / NMR they converted to
redeem_group_shares: public(HashMap[uint256, uint256])
redeem_group_assets: public(HashMap[uint256, uint256])

# ---- storage: per controller ----

# open requests per controller and side: index -> round * HALF + amount (oldest first)
_queue: HashMap[address, HashMap[uint256, HashMap[uint256, uint256]]]
# queue bounds per controller and side: head * HALF + tail
_queue_bounds: HashMap[address, HashMap[uint256, uint256]]
# converted deposits waiting to be claimed: NMR requested and shares it bought
_claimable_deposit_assets: HashMap[address, uint256]
_claimable_deposit_shares: HashMap[address, uint256]
# converted redemptions waiting to be claimed: shares redeemed and NMR they are worth
_claimable_redeem_shares: HashMap[address, uint256]
_claimable_redeem_assets: HashMap[address, uint256]
# ERC-7540 operators: controller -> operator -> approved
isOperator: public(HashMap[address, HashMap[address, bool]])

# ---- storage: owner settings and safety ----

# performance fee in basis points, charged on gains above the high-water mark
fee_bps: public(uint256)
# a proposed fee increase and the first round it applies to (0: none pending)
pending_fee_bps: public(uint256)
pending_fee_round: public(uint256)
# maximum active + pending NMR the pool accepts
deposit_limit: public(uint256)
# paused: no new deposit requests (redemptions and claims always work)
paused: public(bool)
# winding down: the last round the pool plays (0: not winding down); no new deposits
wind_down_round: public(uint256)
# closed (wind-down done, emergency exit, or depleted): nothing more is settled, redemptions
# convert at once at the final price, pending requests can be taken back
closure: public(Closure)

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


event OwedCollected:
    amount: uint256
    fee: uint256
    still_owed: uint256


event RequestsConverted:
    round: indexed(uint256)
    deposit_assets: uint256
    deposit_shares: uint256
    redeem_shares: uint256
    redeem_assets: uint256


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


# ---- constructor and initializer ----


@deploy
def __init__():
    """
    @notice Deploys the implementation. It can never be initialized or used itself.
    """
    ownable.__init__()
    ownable_2step.__init__()
    erc20.__init__("NMR Delegation Pool", "dNMR", 18, "NMR Delegation Pool", "1")
    self._initialized = True


@external
def initialize(owner: address, model_id: bytes32, name: String[64], symbol: String[32], fee_bps: uint256):
    """
    @notice Initialise a freshly cloned pool. Called once, by the factory that cloned it.
    @param owner The model owner (earns fees, sets fee and deposit limit).
    @param model_id The Numerai model this pool backs.
    @param name The share token name.
    @param symbol The share token symbol.
    @param fee_bps The performance fee in basis points (at most the factory's fee cap).
    """
    assert not self._initialized, "pool: already initialized"
    assert owner != empty(address), "pool: zero owner"
    self._initialized = True
    factory: IPoolFactory = IPoolFactory(msg.sender)
    assert fee_bps <= staticcall factory.fee_cap_bps(), "pool: fee above cap"
    self.factory = factory
    self.asset = staticcall factory.nmr()
    self.genesis = staticcall factory.genesis()
    self.round_length = staticcall factory.round_length()
    self.model_id = model_id
    self._name = name
    self._symbol = symbol
    self.fee_bps = fee_bps
    self.high_water_mark = WAD
    self.deposit_limit = max_value(uint256)
    # a new pool is caught up: the round before the current one counts as settled
    self.last_settled_round = self._current_round() - 1
    ownable_2step._transfer_ownership(owner)


# ---- ERC-20 metadata and ERC-165 / ERC-7575 ----


@external
@view
def name() -> String[64]:
    """
    @notice The share token's name (derived from the model).
    """
    return self._name


@external
@view
def symbol() -> String[32]:
    """
    @notice The share token's symbol (derived from the model).
    """
    return self._symbol


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


# ---- ERC-7540 operators ----


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
    self.isOperator[msg.sender][operator] = approved
    log OperatorSet(controller=msg.sender, operator=operator, approved=approved)
    return True


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
    assert self.closure == empty(Closure), "pool: closed"
    assert self.wind_down_round == 0, "pool: winding down"
    assert not self.paused, "pool: paused"
    assert assets > 0, "pool: zero assets"
    assert controller != empty(address), "pool: zero controller"
    self._check_caller_for(owner)
    self._check_caller_for(controller)
    assert self.total_assets + self.pending_deposit_assets + assets <= self.deposit_limit, "pool: deposit limit exceeded"
    assert extcall INumeraire(self.asset).transferFrom(owner, self, assets), "pool: NMR transfer failed"

    request_round: uint256 = self._current_round()
    self._checkpoint_deposits(controller)
    if self._is_converted(request_round, DEPOSIT_SIDE):
        # caught up: nothing to wait for, convert now; round down: dust stays in the pool
        shares: uint256 = self._to_shares(assets, False)
        self.total_assets += assets
        erc20._mint(self, shares)
        self._claimable_deposit_assets[controller] += assets
        self._claimable_deposit_shares[controller] += shares
    else:
        self._enqueue(controller, DEPOSIT_SIDE, request_round, assets)
        self.deposit_group_assets[request_round] += assets
        self.pending_deposit_assets += assets
    log DepositRequest(controller=controller, owner=owner, requestId=request_round, sender=msg.sender, assets=assets)
    return request_round


@external
@nonreentrant
def requestRedeem(shares: uint256, controller: address, owner: address) -> uint256:
    """
    @notice Request to redeem `shares` of `owner`; `controller` will claim the NMR.
            The shares are locked now; they bear the rounds before the current one and
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
    self._check_caller_for(controller)
    if owner != msg.sender and not self.isOperator[owner][msg.sender]:
        erc20._spend_allowance(owner, msg.sender, shares)
    erc20._transfer(owner, self, shares)

    request_round: uint256 = self._current_round()
    last_round: uint256 = self.wind_down_round
    if last_round != 0:
        # nothing after the last round is played: later requests wait for it, together
        request_round = min(request_round, last_round + 1)
    self._checkpoint_redemptions(controller)
    if self.closure != empty(Closure) or self._is_converted(request_round, REDEEM_SIDE):
        # convert now at the current price; round down: dust stays in the pool
        assets: uint256 = self._to_assets(shares, False)
        erc20._burn(self, shares)
        self.total_assets -= assets
        self.reserved_redeem_assets += assets
        self._claimable_redeem_shares[controller] += shares
        self._claimable_redeem_assets[controller] += assets
    else:
        self._enqueue(controller, REDEEM_SIDE, request_round, shares)
        self.redeem_group_shares[request_round] += shares
        self.pending_redeem_shares += shares
    log RedeemRequest(controller=controller, owner=owner, requestId=request_round, sender=msg.sender, shares=shares)
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
    self._check_caller_for(controller)
    assert receiver != empty(address), "pool: zero receiver"
    assets: uint256 = self._cancel(controller, DEPOSIT_SIDE, request_id)
    self.deposit_group_assets[request_id] -= assets
    self.pending_deposit_assets -= assets
    assert extcall INumeraire(self.asset).transfer(receiver, assets), "pool: NMR transfer failed"
    log DepositRequestCancelled(controller=controller, requestId=request_id, receiver=receiver, assets=assets)
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
    self._check_caller_for(controller)
    assert receiver != empty(address), "pool: zero receiver"
    shares: uint256 = self._cancel(controller, REDEEM_SIDE, request_id)
    self.redeem_group_shares[request_id] -= shares
    self.pending_redeem_shares -= shares
    erc20._transfer(self, receiver, shares)
    log RedeemRequestCancelled(controller=controller, requestId=request_id, receiver=receiver, shares=shares)
    return shares


# ---- claims ----


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
    self._check_caller_for(controller)
    assert receiver != empty(address), "pool: zero receiver"
    self._checkpoint_deposits(controller)
    claim_assets: uint256 = self._claimable_deposit_assets[controller]
    claim_shares: uint256 = self._claimable_deposit_shares[controller]
    assert assets > 0, "pool: zero assets"
    assert assets <= claim_assets, "pool: more than claimable"
    shares: uint256 = claim_shares
    if assets < claim_assets:
        # round down: the rest stays with the controller's remaining claim
        shares = math._mul_div(assets, claim_shares, claim_assets, False)
    self._pay_deposit_claim(controller, receiver, assets, shares)
    return shares


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
    self._check_caller_for(controller)
    assert receiver != empty(address), "pool: zero receiver"
    self._checkpoint_deposits(controller)
    claim_assets: uint256 = self._claimable_deposit_assets[controller]
    claim_shares: uint256 = self._claimable_deposit_shares[controller]
    assert shares > 0, "pool: zero shares"
    assert shares <= claim_shares, "pool: more than claimable"
    assets: uint256 = claim_assets
    if shares < claim_shares:
        # round up: the claim used up is never understated
        assets = math._mul_div(shares, claim_assets, claim_shares, True)
    self._pay_deposit_claim(controller, receiver, assets, shares)
    return assets


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
    self._check_caller_for(controller)
    assert receiver != empty(address), "pool: zero receiver"
    self._checkpoint_redemptions(controller)
    claim_shares: uint256 = self._claimable_redeem_shares[controller]
    claim_assets: uint256 = self._claimable_redeem_assets[controller]
    assert shares > 0, "pool: zero shares"
    assert shares <= claim_shares, "pool: more than claimable"
    assets: uint256 = claim_assets
    if shares < claim_shares:
        # round down: the rest stays with the controller's remaining claim
        assets = math._mul_div(shares, claim_assets, claim_shares, False)
    self._pay_redeem_claim(controller, receiver, assets, shares)
    return assets


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
    self._check_caller_for(controller)
    assert receiver != empty(address), "pool: zero receiver"
    self._checkpoint_redemptions(controller)
    claim_shares: uint256 = self._claimable_redeem_shares[controller]
    claim_assets: uint256 = self._claimable_redeem_assets[controller]
    assert assets > 0, "pool: zero assets"
    assert assets <= claim_assets, "pool: more than claimable"
    shares: uint256 = claim_shares
    if assets < claim_assets:
        # round up: the claim used up is never understated
        shares = math._mul_div(assets, claim_shares, claim_assets, True)
    self._pay_redeem_claim(controller, receiver, assets, shares)
    return shares


# ---- settlement ----


@external
@nonreentrant
def settle(round: uint256, round_return: int256, results_digest: bytes32):
    """
    @notice Apply the result of `round` and convert the requests made in `round + 1`.
            amount = active_assets * |round_return| / 1e18; gains are drawn from the
            treasury (what it cannot pay is owed to the pool; the fee is charged above the
            high-water mark on what is paid), losses are burned. Settling a winding-down
            pool's last round closes it; a price left below MIN_PRICE closes it as depleted.
    @dev Callable by the factory (batch settlement) or a settler.
    @param round Must be `last_settled_round + 1` and closed.
    @param round_return Signed WAD fraction; |round_return| <= the factory's cap.
    @param results_digest keccak256 of the canonical results file of the round.
    """
    factory: IPoolFactory = self.factory
    assert msg.sender == factory.address or staticcall factory.is_settler(msg.sender), "pool: not settler"
    assert self.closure == empty(Closure), "pool: closed"
    assert round == self.last_settled_round + 1, "pool: not the next round"
    assert round < self._current_round(), "pool: round not closed"
    assert self._abs(round_return) <= min(staticcall factory.return_cap(), MAX_RETURN_CAP), "pool: return above cap"

    fee_bps: uint256 = self._apply_due_fee_increase(round)
    # what the treasury owes from earlier rounds is credited first, at the price it was earned at
    self._collect_owed(fee_bps)
    assets_before: uint256 = self.total_assets
    assets: uint256 = assets_before
    paid: uint256 = 0
    unpaid: uint256 = 0
    burned: uint256 = 0
    fee: uint256 = 0
    if round_return > 0:
        # round down: the pool never draws more than earned
        gain: uint256 = math._mul_div(assets_before, convert(round_return, uint256), WAD, False)
        paid = self._draw(gain)
        unpaid = gain - paid
        self.treasury_owed += unpaid
        fee = self._performance_fee(assets_before, assets_before + paid, fee_bps)
        assets = assets_before + paid - fee
        self.fees_owed += fee
    elif round_return < 0:
        # round up: a loss is never understated
        burned = math._mul_div(assets_before, self._abs(round_return), WAD, True)
        assets = assets_before - burned
        if burned > 0:
            assert extcall INumeraire(self.asset).mint(burned), "pool: NMR burn failed"
    self.total_assets = assets
    price: uint256 = self._price_per_share()
    high_water_mark: uint256 = max(self.high_water_mark, price)
    self.high_water_mark = high_water_mark
    self.last_settled_round = round
    self.results_digest[round] = results_digest
    log Settled(
        round=round,
        round_return=round_return,
        results_digest=results_digest,
        paid=paid,
        unpaid=unpaid,
        burned=burned,
        fee=fee,
        total_assets=assets,
        price_per_share=price,
        high_water_mark=high_water_mark,
    )
    depleted: bool = price < MIN_PRICE
    self._convert_groups(round + 1, not depleted)
    if depleted:
        self._close(Closure.DEPLETED)
    elif round == self.wind_down_round:
        self._close(Closure.WOUND_DOWN)


@external
@nonreentrant
def collect_owed() -> uint256:
    """
    @notice Draw what the treasury owes the pool for gains it could not pay when they were
            settled, as far as it can pay now, and credit it to the active assets (the fee
            is charged above the high-water mark, as on any gain). Anyone may call it.
    @return The NMR collected.
    """
    assert self.treasury_owed > 0, "pool: nothing owed"
    fee_bps: uint256 = min(self.fee_bps, staticcall self.factory.fee_cap_bps())
    return self._collect_owed(fee_bps)


# ---- owner ----


@external
def set_fee(fee_bps: uint256):
    """
    @notice Change the performance fee. A decrease applies at once (and drops any pending
            increase); an increase applies only to rounds from `current_round + delay` on,
            so delegators who disagree can request to leave first. The fee charged never
            exceeds the factory's fee cap in force when it is charged.
    @param fee_bps The new fee in basis points (at most the factory's fee cap).
    """
    ownable._check_owner()
    assert fee_bps <= staticcall self.factory.fee_cap_bps(), "pool: fee above cap"
    old_fee_bps: uint256 = self.fee_bps
    if fee_bps <= old_fee_bps:
        self.fee_bps = fee_bps
        self.pending_fee_bps = 0
        self.pending_fee_round = 0
        log FeeChanged(old_fee_bps=old_fee_bps, new_fee_bps=fee_bps)
    else:
        effective_round: uint256 = self._current_round() + staticcall self.factory.fee_delay_rounds()
        self.pending_fee_bps = fee_bps
        self.pending_fee_round = effective_round
        log FeeIncreaseProposed(fee_bps=fee_bps, effective_round=effective_round)


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
    amount: uint256 = self.fees_owed
    assert amount > 0, "pool: no fees owed"
    self.fees_owed = 0
    assert extcall INumeraire(self.asset).transfer(receiver, amount), "pool: NMR transfer failed"
    log FeesClaimed(receiver=receiver, amount=amount)
    return amount


@external
def set_deposit_limit(deposit_limit: uint256):
    """
    @notice Cap the NMR the pool accepts (active plus pending deposits); owner only.
    @param deposit_limit The new limit in NMR wei.
    """
    ownable._check_owner()
    self.deposit_limit = deposit_limit
    log DepositLimitSet(deposit_limit=deposit_limit)


# ---- safety: pause, wind-down, emergency exit ----


@external
def pause():
    """
    @notice Stop new deposit requests (owner or guardian). Redemptions and claims go on.
    """
    self._check_owner_or_guardian()
    assert not self.paused, "pool: already paused"
    self.paused = True
    log Paused(account=msg.sender)


@external
def unpause():
    """
    @notice Accept deposit requests again (owner or guardian).
    """
    self._check_owner_or_guardian()
    assert self.paused, "pool: not paused"
    self.paused = False
    log Unpaused(account=msg.sender)


@external
def wind_down():
    """
    @notice Wind the pool down for good (owner or guardian): no new deposits from now on;
            the current round is the last one the pool plays. Every round up to it is still
            settled and requests convert on their usual schedule (no played round can be
            escaped); settling the last round closes the pool, after which redemptions
            convert at once at the final price.
    """
    self._check_owner_or_guardian()
    assert self.closure == empty(Closure), "pool: closed"
    assert self.wind_down_round == 0, "pool: already winding down"
    last_round: uint256 = self._current_round()
    self.wind_down_round = last_round
    log WindDown(account=msg.sender, last_round=last_round)


@external
def emergency_exit():
    """
    @notice Close a pool whose settlement has stopped (anyone): once the pool's next round
            has waited longer than the factory's stall gap after it closed, nothing more is
            settled, pending requests can be taken back in full and shares redeem at once at
            the last settled price. The only path that forfeits unsettled results, and only
            the settler's absence opens it.
    """
    assert self.closure == empty(Closure), "pool: closed"
    assert self._is_stalled(), "pool: not stalled"
    self._close(Closure.EMERGENCY_EXIT)


# ---- views: ERC-4626 / ERC-7540 ----


@external
@view
def totalAssets() -> uint256:
    """
    @notice NMR backing the shares in circulation (excludes pending deposits, NMR set
            aside for redemptions, fees owed, and gains the treasury still owes).
    """
    return self.total_assets


@external
@view
def convertToShares(assets: uint256) -> uint256:
    """
    @notice Shares `assets` NMR is worth at the current price (rounded down).
    @param assets An amount of NMR.
    """
    return self._to_shares(assets, False)


@external
@view
def convertToAssets(shares: uint256) -> uint256:
    """
    @notice NMR `shares` are worth at the current price (rounded down).
    @param shares An amount of shares.
    """
    return self._to_assets(shares, False)


@external
@view
def price_per_share() -> uint256:
    """
    @notice NMR per 1e18 shares at the current price (WAD), rounded down.
    """
    return self._price_per_share()


@external
@view
def current_round() -> uint256:
    """
    @notice The round open now (from the factory's schedule).
    """
    return self._current_round()


@external
@view
def is_stalled() -> bool:
    """
    @notice True when the pool's next round closed more than the factory's stall gap ago and
            is still unsettled: anyone may then call `emergency_exit`.
    """
    return self._is_stalled()


@external
@view
def maxDeposit(controller: address) -> uint256:
    """
    @notice ERC-7540: the NMR of `controller`'s converted deposits that can be claimed.
    @param controller The request's controller.
    """
    return self._deposit_claim_view(controller)[0]


@external
@view
def maxMint(controller: address) -> uint256:
    """
    @notice ERC-7540: the shares of `controller`'s converted deposits that can be claimed.
    @param controller The request's controller.
    """
    return self._deposit_claim_view(controller)[1]


@external
@view
def maxRedeem(controller: address) -> uint256:
    """
    @notice ERC-7540: the shares of `controller`'s converted redemptions that can be claimed.
    @param controller The request's controller.
    """
    return self._redeem_claim_view(controller)[0]


@external
@view
def maxWithdraw(controller: address) -> uint256:
    """
    @notice ERC-7540: the NMR of `controller`'s converted redemptions that can be claimed.
    @param controller The request's controller.
    """
    return self._redeem_claim_view(controller)[1]


@external
@view
def pendingDepositRequest(requestId: uint256, controller: address) -> uint256:
    """
    @notice NMR of `controller`'s deposit request `requestId` not yet converted.
    @param requestId The round the request was made in.
    @param controller The request's controller.
    """
    return self._pending_amount(controller, DEPOSIT_SIDE, requestId)


@external
@view
def pendingRedeemRequest(requestId: uint256, controller: address) -> uint256:
    """
    @notice Shares of `controller`'s redeem request `requestId` not yet converted.
    @param requestId The round the request was made in.
    @param controller The request's controller.
    """
    return self._pending_amount(controller, REDEEM_SIDE, requestId)


@external
@view
def claimableDepositRequest(requestId: uint256, controller: address) -> uint256:
    """
    @notice NMR of `controller`'s converted deposits that can be claimed. Claims are
            fungible across a controller's requests, so this is the same for every id.
    @param requestId Any request id of the controller.
    @param controller The request's controller.
    """
    return self._deposit_claim_view(controller)[0]


@external
@view
def claimableRedeemRequest(requestId: uint256, controller: address) -> uint256:
    """
    @notice Shares of `controller`'s converted redemptions that can be claimed. Claims are
            fungible across a controller's requests, so this is the same for every id.
    @param requestId Any request id of the controller.
    @param controller The request's controller.
    """
    return self._redeem_claim_view(controller)[0]


@external
@view
def pending_requests(controller: address, redeem_side: bool) -> DynArray[uint256[2], MAX_OPEN_REQUESTS]:
    """
    @notice The open (not yet claimable) requests of `controller` as [round, amount] pairs,
            oldest first: NMR for deposits, shares for redemptions.
    @param controller The request's controller.
    @param redeem_side False for deposits, True for redemptions.
    """
    side: uint256 = REDEEM_SIDE if redeem_side else DEPOSIT_SIDE
    result: DynArray[uint256[2], MAX_OPEN_REQUESTS] = []
    head: uint256 = 0
    tail: uint256 = 0
    head, tail = self._bounds(controller, side)
    for i: uint256 in range(head, tail, bound=MAX_OPEN_REQUESTS):
        request_round: uint256 = 0
        amount: uint256 = 0
        request_round, amount = self._entry(controller, side, i)
        if not self._is_converted(request_round, side) and amount > 0:
            result.append([request_round, amount])
    return result


# ---- internal: time and roles ----


@internal
@view
def _current_round() -> uint256:
    # round r is open while genesis + r*length <= now < genesis + (r+1)*length
    return (block.timestamp - self.genesis) // self.round_length


@internal
@view
def _is_converted(request_round: uint256, side: uint256) -> bool:
    # the group of round r converts right after round r-1 is settled, except the deposits of
    # the group a depleting settlement skipped (they wait, to be taken back in full)
    last_settled: uint256 = self.last_settled_round
    if side == DEPOSIT_SIDE and self.closure == Closure.DEPLETED:
        return request_round <= last_settled
    return request_round <= last_settled + 1


@internal
@view
def _is_stalled() -> bool:
    # the next round (last settled + 1) closed when round last settled + 2 opened; its result
    # arrives about 20 rounds later, so the factory's stall gap (>= 30 days) is longer than that
    next_round_closed_at: uint256 = self.genesis + (self.last_settled_round + 2) * self.round_length
    return block.timestamp >= next_round_closed_at + staticcall self.factory.stall_gap()


@internal
@view
def _check_caller_for(account: address):
    assert msg.sender == account or self.isOperator[account][msg.sender], "pool: not controller or operator"


@internal
@view
def _check_owner_or_guardian():
    is_owner: bool = msg.sender == ownable.owner
    assert is_owner or staticcall self.factory.is_guardian(msg.sender), "pool: not owner or guardian"


# ---- internal: closing ----


@internal
def _close(closure: Closure):
    self.closure = closure
    log Closed(closure=closure, last_settled_round=self.last_settled_round)


# ---- internal: conversions ----


@internal
@view
def _to_shares(assets: uint256, roundup: bool) -> uint256:
    # shares = assets * (supply + 1) / (total_assets + 1)
    return math._mul_div(
        assets, erc20.totalSupply + VIRTUAL_OFFSET, self.total_assets + VIRTUAL_OFFSET, roundup
    )


@internal
@view
def _to_assets(shares: uint256, roundup: bool) -> uint256:
    # assets = shares * (total_assets + 1) / (supply + 1)
    return math._mul_div(
        shares, self.total_assets + VIRTUAL_OFFSET, erc20.totalSupply + VIRTUAL_OFFSET, roundup
    )


@internal
@view
def _price_per_share() -> uint256:
    # round down: the price never overstates what a share is worth
    return self._to_assets(WAD, False)


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
    return extcall IPayoutTreasury(staticcall self.factory.treasury()).pay(amount)


@internal
def _collect_owed(fee_bps: uint256) -> uint256:
    # credit what the treasury can pay of what it owes, charging the fee above the mark
    owed: uint256 = self.treasury_owed
    if owed == 0:
        return 0
    amount: uint256 = self._draw(owed)
    if amount == 0:
        return 0
    still_owed: uint256 = owed - amount
    self.treasury_owed = still_owed
    assets_before: uint256 = self.total_assets
    fee: uint256 = self._performance_fee(assets_before, assets_before + amount, fee_bps)
    self.total_assets = assets_before + amount - fee
    self.fees_owed += fee
    self.high_water_mark = max(self.high_water_mark, self._price_per_share())
    log OwedCollected(amount=amount, fee=fee, still_owed=still_owed)
    return amount


@internal
def _apply_due_fee_increase(round: uint256) -> uint256:
    # a proposed increase applies from its effective round on; the fee charged never exceeds
    # the factory's cap in force (an admin may have lowered it since)
    pending_round: uint256 = self.pending_fee_round
    fee_bps: uint256 = self.fee_bps
    if pending_round != 0 and round >= pending_round:
        old_fee_bps: uint256 = fee_bps
        fee_bps = self.pending_fee_bps
        self.fee_bps = fee_bps
        self.pending_fee_bps = 0
        self.pending_fee_round = 0
        log FeeChanged(old_fee_bps=old_fee_bps, new_fee_bps=fee_bps)
    return min(fee_bps, staticcall self.factory.fee_cap_bps())


@internal
@view
def _performance_fee(assets_before: uint256, assets_after: uint256, fee_bps: uint256) -> uint256:
    # fee = (assets_after - max(assets_before, assets at the high-water mark)) * fee_bps / 10_000
    # assets at the high-water mark: the least A with (A + 1) * 1e18 / (supply + 1) >= hwm,
    # i.e. ceil(hwm * (supply + 1) / 1e18) - 1
    if fee_bps == 0:
        return 0
    hwm_assets: uint256 = math._mul_div(self.high_water_mark, erc20.totalSupply + VIRTUAL_OFFSET, WAD, True) - 1
    base: uint256 = max(assets_before, hwm_assets)
    if assets_after <= base:
        return 0
    # round down: the fee never takes more than its share
    return math._mul_div(assets_after - base, fee_bps, BPS, False)


# ---- internal: settlement conversions ----


@internal
def _convert_groups(request_round: uint256, convert_deposits: bool):
    # deposits first, then redemptions, both at the price just settled; a depleted pool
    # converts no deposit (they stay pending, to be taken back in full)
    deposit_assets: uint256 = 0
    deposit_shares: uint256 = 0
    if convert_deposits:
        deposit_assets = self.deposit_group_assets[request_round]
    if deposit_assets > 0:
        # round down: dust stays in the pool
        deposit_shares = self._to_shares(deposit_assets, False)
        self.total_assets += deposit_assets
        self.pending_deposit_assets -= deposit_assets
        self.deposit_group_shares[request_round] = deposit_shares
        erc20._mint(self, deposit_shares)
    redeem_shares: uint256 = self.redeem_group_shares[request_round]
    redeem_assets: uint256 = 0
    if redeem_shares > 0:
        # round down: dust stays in the pool
        redeem_assets = self._to_assets(redeem_shares, False)
        erc20._burn(self, redeem_shares)
        self.total_assets -= redeem_assets
        self.pending_redeem_shares -= redeem_shares
        self.reserved_redeem_assets += redeem_assets
        self.redeem_group_assets[request_round] = redeem_assets
    if deposit_assets > 0 or redeem_shares > 0:
        log RequestsConverted(
            round=request_round,
            deposit_assets=deposit_assets,
            deposit_shares=deposit_shares,
            redeem_shares=redeem_shares,
            redeem_assets=redeem_assets,
        )


# ---- internal: per-controller request queues ----


@internal
@pure
def _pack(high: uint256, low: uint256) -> uint256:
    # two 128-bit halves in one word: neither half may spill into the other
    assert high < HALF and low < HALF, "pool: value too large for its packed field"
    return high * HALF + low


@internal
@view
def _bounds(controller: address, side: uint256) -> (uint256, uint256):
    packed: uint256 = self._queue_bounds[controller][side]
    return packed // HALF, packed % HALF


@internal
@view
def _entry(controller: address, side: uint256, index: uint256) -> (uint256, uint256):
    packed: uint256 = self._queue[controller][side][index]
    return packed // HALF, packed % HALF


@internal
def _enqueue(controller: address, side: uint256, request_round: uint256, amount: uint256):
    # requests of one round share one entry; rounds only grow, so only the tail can match
    head: uint256 = 0
    tail: uint256 = 0
    head, tail = self._bounds(controller, side)
    if tail > head:
        last_round: uint256 = 0
        last_amount: uint256 = 0
        last_round, last_amount = self._entry(controller, side, tail - 1)
        if last_round == request_round:
            self._queue[controller][side][tail - 1] = self._pack(request_round, last_amount + amount)
            return
    assert tail - head < MAX_OPEN_REQUESTS, "pool: too many open requests"
    self._queue[controller][side][tail] = self._pack(request_round, amount)
    self._queue_bounds[controller][side] = self._pack(head, tail + 1)


@internal
def _cancel(controller: address, side: uint256, request_id: uint256) -> uint256:
    if self.closure == empty(Closure):
        assert request_id == self._current_round(), "pool: round closed, cannot cancel"
    assert not self._is_converted(request_id, side), "pool: request already converted"
    head: uint256 = 0
    tail: uint256 = 0
    head, tail = self._bounds(controller, side)
    for i: uint256 in range(head, tail, bound=MAX_OPEN_REQUESTS):
        entry_round: uint256 = 0
        amount: uint256 = 0
        entry_round, amount = self._entry(controller, side, i)
        if entry_round == request_id and amount > 0:
            if i == tail - 1:
                # the newest entry: drop it
                self._queue[controller][side][i] = 0
                self._queue_bounds[controller][side] = self._pack(head, tail - 1)
            else:
                # an older entry (only in a closed pool): leave an empty marker
                self._queue[controller][side][i] = self._pack(entry_round, 0)
            return amount
    raise "pool: nothing pending to cancel"


@internal
@view
def _scan(controller: address, side: uint256) -> (uint256, uint256, uint256):
    # walk the converted prefix of the queue: (new head, amount requested, amount converted to)
    head: uint256 = 0
    tail: uint256 = 0
    head, tail = self._bounds(controller, side)
    total_in: uint256 = 0
    total_out: uint256 = 0
    new_head: uint256 = head
    for i: uint256 in range(head, tail, bound=MAX_OPEN_REQUESTS):
        entry_round: uint256 = 0
        amount: uint256 = 0
        entry_round, amount = self._entry(controller, side, i)
        if not self._is_converted(entry_round, side):
            break
        new_head = i + 1
        if amount == 0:
            continue
        total_in += amount
        # round down: the controller's part of its group; group dust stays in the pool
        if side == DEPOSIT_SIDE:
            total_out += math._mul_div(
                amount, self.deposit_group_shares[entry_round], self.deposit_group_assets[entry_round], False
            )
        else:
            total_out += math._mul_div(
                amount, self.redeem_group_assets[entry_round], self.redeem_group_shares[entry_round], False
            )
    return new_head, total_in, total_out


@internal
def _checkpoint(controller: address, side: uint256) -> (uint256, uint256):
    # move the controller's converted requests into its claimable totals
    head: uint256 = 0
    tail: uint256 = 0
    head, tail = self._bounds(controller, side)
    new_head: uint256 = 0
    total_in: uint256 = 0
    total_out: uint256 = 0
    new_head, total_in, total_out = self._scan(controller, side)
    if new_head == head:
        return 0, 0
    for i: uint256 in range(head, new_head, bound=MAX_OPEN_REQUESTS):
        self._queue[controller][side][i] = 0
    if new_head == tail:
        self._queue_bounds[controller][side] = 0
    else:
        self._queue_bounds[controller][side] = self._pack(new_head, tail)
    return total_in, total_out


@internal
def _checkpoint_deposits(controller: address):
    assets: uint256 = 0
    shares: uint256 = 0
    assets, shares = self._checkpoint(controller, DEPOSIT_SIDE)
    if assets > 0:
        self._claimable_deposit_assets[controller] += assets
        self._claimable_deposit_shares[controller] += shares


@internal
def _checkpoint_redemptions(controller: address):
    shares: uint256 = 0
    assets: uint256 = 0
    shares, assets = self._checkpoint(controller, REDEEM_SIDE)
    if shares > 0:
        self._claimable_redeem_shares[controller] += shares
        self._claimable_redeem_assets[controller] += assets


@internal
@view
def _deposit_claim_view(controller: address) -> (uint256, uint256):
    new_head: uint256 = 0
    assets: uint256 = 0
    shares: uint256 = 0
    new_head, assets, shares = self._scan(controller, DEPOSIT_SIDE)
    return self._claimable_deposit_assets[controller] + assets, self._claimable_deposit_shares[controller] + shares


@internal
@view
def _redeem_claim_view(controller: address) -> (uint256, uint256):
    new_head: uint256 = 0
    shares: uint256 = 0
    assets: uint256 = 0
    new_head, shares, assets = self._scan(controller, REDEEM_SIDE)
    return self._claimable_redeem_shares[controller] + shares, self._claimable_redeem_assets[controller] + assets


@internal
@view
def _pending_amount(controller: address, side: uint256, request_id: uint256) -> uint256:
    if self._is_converted(request_id, side):
        return 0
    head: uint256 = 0
    tail: uint256 = 0
    head, tail = self._bounds(controller, side)
    for i: uint256 in range(head, tail, bound=MAX_OPEN_REQUESTS):
        entry_round: uint256 = 0
        amount: uint256 = 0
        entry_round, amount = self._entry(controller, side, i)
        if entry_round == request_id:
            return amount
    return 0


# ---- internal: claim payouts ----


@internal
def _pay_deposit_claim(controller: address, receiver: address, assets: uint256, shares: uint256):
    self._claimable_deposit_assets[controller] -= assets
    self._claimable_deposit_shares[controller] -= shares
    erc20._transfer(self, receiver, shares)
    log Deposit(sender=controller, owner=receiver, assets=assets, shares=shares)


@internal
def _pay_redeem_claim(controller: address, receiver: address, assets: uint256, shares: uint256):
    self._claimable_redeem_shares[controller] -= shares
    self._claimable_redeem_assets[controller] -= assets
    self.reserved_redeem_assets -= assets
    assert extcall INumeraire(self.asset).transfer(receiver, assets), "pool: NMR transfer failed"
    log Withdraw(sender=msg.sender, receiver=receiver, owner=controller, assets=assets, shares=shares)
