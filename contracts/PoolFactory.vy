# pragma version ~=0.4.3
"""
@title NMR Delegation Pool factory
@notice Creates one DelegationPool per Numerai model as a minimal proxy of a single
        implementation, keeps the registry of pools, owns the round schedule
        (`genesis`, `round_length`, `current_round()`), the factory-wide roles (admin,
        settler, guardian) and the caps every pool obeys, and settles many pools in one
        transaction with `settle_many`.
@custom:security - Admins are trusted to set roles and caps; caps have hard bounds
                   (return cap <= 5% per round, fee cap <= 100%, fee delay >= 1 round,
                   30 days <= stall gap <= 365 days: longer than the ~4-week resolution lag,
                   so only a settler gone for good opens a pool's emergency exit, and never
                   so long that the exit is out of reach).
                 - Model ownership is attested: a pool is created only by the owner an
                   attester (Numerai's key, a role the admin grants) signed for, with an
                   EIP-712 `ModelOwnership(model_id, model_name, owner, deadline)` (ECDSA, or
                   EIP-1271 for a contract attester such as a Safe).
                 - The schedule never changes after deployment: pools copy it.
"""

from snekmate.utils import eip712_domain_separator
from snekmate.utils import signature_checker

initializes: eip712_domain_separator

exports: eip712_domain_separator.eip712Domain

# ---- interfaces ----

interface IDelegationPool:
    def initialize(owner: address, model_id: bytes32, model_name: String[24], fee_bps: uint256): nonpayable
    def settle(round: uint256, round_return: int256, results_digest: bytes32, return_cap: uint256, fee_cap_bps: uint256): nonpayable


# ---- constants ----

# 5% per round: Numerai's payout cap, and the ceiling for `return_cap` (WAD, 1e18 = 100%)
MAX_RETURN_CAP: constant(uint256) = 5 * 10**16
# 100% in basis points: the ceiling for `fee_cap_bps`
MAX_FEE_BPS: constant(uint256) = 10_000
# default performance fee cap: 50%
DEFAULT_FEE_CAP_BPS: constant(uint256) = 5_000
# default delay before a fee increase applies: 30 rounds, longer than the ~20-round exit wait
DEFAULT_FEE_DELAY_ROUNDS: constant(uint256) = 30
# the stall gap's bounds: longer than the resolution lag (~20 daily rounds, about 4 weeks),
# so a pool's emergency exit opens only when its settler is really gone; at most a year
MIN_STALL_GAP: constant(uint256) = 30 * 86_400
MAX_STALL_GAP: constant(uint256) = 365 * 86_400
DEFAULT_STALL_GAP: constant(uint256) = MIN_STALL_GAP
# EIP-712: an attester's statement that `owner` owns Numerai model `model_id`
MODEL_OWNERSHIP_TYPEHASH: constant(bytes32) = keccak256(
    "ModelOwnership(bytes32 model_id,string model_name,address owner,uint256 deadline)"
)
# the most reports one `settle_many` call takes
MAX_BATCH: constant(uint256) = 256
# the shortest round the factory accepts (a pool's deposit queue keeps rounds in 24 bits)
MIN_ROUND_LENGTH: constant(uint256) = 3_600

# ---- flags and structs ----

flag Role:
    ADMIN
    SETTLER
    GUARDIAN
    ATTESTER


struct Report:
    pool: address
    round: uint256
    round_return: int256
    results_digest: bytes32


# ---- immutables (in the code: a pool asking for the treasury or the schedule reads no storage) ----

# the NMR token every pool holds
nmr: public(immutable(address))
# where positive payouts are drawn from: deployed by this factory's constructor, from a
# blueprint, with this factory as its immutable (so it never exists without its factory)
treasury: public(immutable(address))
# the DelegationPool implementation every pool is a minimal proxy of, and the PoolExtension it
# delegates to: both deployed by this factory's constructor from blueprints, with this factory,
# the NMR, the treasury and the schedule in their code (a pool reads none of them from storage)
pool_implementation: public(immutable(address))
pool_extension: public(immutable(address))
# round r is open while genesis + r*round_length <= now < genesis + (r+1)*round_length
genesis: public(immutable(uint256))
round_length: public(immutable(uint256))

# ---- storage ----

# the two caps every settlement passes on, in one word: the largest |round_return| a pool
# accepts (WAD, at most 5e16) << 128 | the largest performance fee a pool may charge (basis
# points, at most 10,000)
_caps: uint256
# rounds between a fee increase and the first round it applies to
fee_delay_rounds: public(uint256)
# how long a pool's next round may wait unsettled after it closed before its emergency exit opens
stall_gap: public(uint256)
# roles of each account
roles: public(HashMap[address, Role])
# registry: model -> pool, pool -> model, and an enumerable list
pool_of: public(HashMap[bytes32, address])
model_of: public(HashMap[address, bytes32])
pool_at: public(HashMap[uint256, address])
pool_count: public(uint256)

# ---- events ----

event PoolCreated:
    model_id: indexed(bytes32)
    pool: indexed(address)
    owner: indexed(address)
    fee_bps: uint256


event RoleGranted:
    account: indexed(address)
    role: Role
    sender: indexed(address)


event RoleRevoked:
    account: indexed(address)
    role: Role
    sender: indexed(address)


event ReturnCapSet:
    return_cap: uint256


event FeeCapSet:
    fee_cap_bps: uint256


event FeeDelaySet:
    fee_delay_rounds: uint256


event StallGapSet:
    stall_gap: uint256


event BatchSettled:
    sender: indexed(address)
    pools: uint256


# ---- constructor ----


@deploy
def __init__(nmr_token: address, treasury_blueprint: address, pool_blueprint: address, extension_blueprint: address, first_round_start: uint256, length: uint256):
    """
    @notice Deploy the factory, and from the three blueprints (EIP-5202) the payout treasury
            (with this factory as its immutable), the pools' implementation and its
            extension (with this factory, the NMR, the treasury and the schedule as their
            immutables). The deployer gets every role.
    @param nmr_token The NMR token.
    @param treasury_blueprint The blueprint of PayoutTreasury.vy.
    @param pool_blueprint The blueprint of DelegationPool.vy (the implementation to clone).
    @param extension_blueprint The blueprint of PoolExtension.vy (the pools' second half).
    @param first_round_start Start of round 0 (timestamp); 0 means "round 1 opens now".
    @param length Seconds per round (86,400 for daily rounds; at least 3,600).
    """
    assert nmr_token != empty(address), "factory: zero NMR"
    assert treasury_blueprint != empty(address), "factory: zero treasury blueprint"
    assert pool_blueprint != empty(address), "factory: zero pool blueprint"
    assert extension_blueprint != empty(address), "factory: zero extension blueprint"
    assert length > 0, "factory: zero round length"
    # a pool's deposit queue keeps rounds in 24 bits: hourly rounds last 1,900 years in them
    assert length >= MIN_ROUND_LENGTH, "factory: rounds shorter than an hour"
    start: uint256 = first_round_start
    if start == 0:
        start = block.timestamp - length
    assert start + length <= block.timestamp, "factory: round 1 not open yet"
    payout_treasury: address = create_from_blueprint(treasury_blueprint, nmr_token, self)
    extension: address = create_from_blueprint(extension_blueprint, self, nmr_token, payout_treasury, start, length)
    implementation: address = create_from_blueprint(pool_blueprint, extension, self, nmr_token, payout_treasury, start, length)
    eip712_domain_separator.__init__("NMR Delegation Pools", "1")
    nmr = nmr_token
    treasury = payout_treasury
    pool_implementation = implementation
    pool_extension = extension
    genesis = start
    round_length = length
    self._caps = MAX_RETURN_CAP << 128 | DEFAULT_FEE_CAP_BPS
    self.fee_delay_rounds = DEFAULT_FEE_DELAY_ROUNDS
    self.stall_gap = DEFAULT_STALL_GAP
    roles: Role = Role.ADMIN | Role.SETTLER | Role.GUARDIAN | Role.ATTESTER
    self.roles[msg.sender] = roles
    log RoleGranted(account=msg.sender, role=roles, sender=msg.sender)


# ---- pools ----


@external
def create_pool(
    model_id: bytes32,
    model_name: String[24],
    fee_bps: uint256,
    attester: address,
    deadline: uint256,
    signature: Bytes[65],
) -> address:
    """
    @notice Create the pool of `model_id`, owned by the caller, who must be the model's owner
            as attested by `attester` (an account with the ATTESTER role) in `signature`.
    @param model_id The Numerai model (bytes32, e.g. its UUID); one pool per model.
    @param model_name A short readable name; the share token is "NMR Pool <name>" / "np<name>".
    @param fee_bps The performance fee in basis points (at most `fee_cap_bps`).
    @param attester Who signed the attestation.
    @param deadline The attestation is valid until this timestamp.
    @param signature The attester's EIP-712 signature of
           ModelOwnership(model_id, model_name, caller, deadline).
    @return The new pool's address.
    """
    assert model_id != empty(bytes32), "factory: zero model id"
    assert len(model_name) > 0, "factory: empty model name"
    assert self.pool_of[model_id] == empty(address), "factory: model has a pool"
    assert fee_bps <= self._caps % 2**128, "factory: fee above cap"
    assert Role.ATTESTER in self.roles[attester], "factory: not an attester"
    assert block.timestamp <= deadline, "factory: attestation expired"
    digest: bytes32 = self._model_ownership_digest(model_id, model_name, msg.sender, deadline)
    assert signature_checker._is_valid_signature_now(attester, digest, signature), "factory: invalid attestation"
    pool: address = create_minimal_proxy_to(pool_implementation)
    extcall IDelegationPool(pool).initialize(msg.sender, model_id, model_name, fee_bps)
    index: uint256 = self.pool_count
    self.pool_of[model_id] = pool
    self.model_of[pool] = model_id
    self.pool_at[index] = pool
    self.pool_count = index + 1
    log PoolCreated(model_id=model_id, pool=pool, owner=msg.sender, fee_bps=fee_bps)
    return pool


@external
@view
def is_pool(pool: address) -> bool:
    """
    @notice True when `pool` was created by this factory.
    @param pool Any address.
    """
    return self.model_of[pool] != empty(bytes32)


@external
def settle(pool: address, round: uint256, round_return: int256, results_digest: bytes32):
    """
    @notice Settle one pool's round (settler only): the pool checks the round and the cap.
    @param pool The pool.
    @param round Its next round (`last_settled_round + 1`), closed.
    @param round_return Signed WAD fraction, at most the return cap in absolute value.
    @param results_digest keccak256 of the round's canonical results file.
    """
    assert Role.SETTLER in self.roles[msg.sender], "factory: not settler"
    assert self.model_of[pool] != empty(bytes32), "factory: not a pool"
    caps: uint256 = self._caps
    extcall IDelegationPool(pool).settle(round, round_return, results_digest, caps >> 128, caps % 2**128)


@external
def settle_many(reports: DynArray[Report, MAX_BATCH]):
    """
    @notice Settle many pools in one transaction (settler only). All or nothing: one
            failing report reverts the batch, so the caller filters first.
    @param reports (pool, round, round_return, results_digest) per pool.
    """
    assert Role.SETTLER in self.roles[msg.sender], "factory: not settler"
    caps: uint256 = self._caps
    return_cap: uint256 = caps >> 128
    fee_cap_bps: uint256 = caps % 2**128
    for report: Report in reports:
        assert self.model_of[report.pool] != empty(bytes32), "factory: not a pool"
        extcall IDelegationPool(report.pool).settle(
            report.round, report.round_return, report.results_digest, return_cap, fee_cap_bps
        )
    log BatchSettled(sender=msg.sender, pools=len(reports))


@external
@view
def model_ownership_digest(model_id: bytes32, model_name: String[24], owner: address, deadline: uint256) -> bytes32:
    """
    @notice The EIP-712 digest an attester signs to let `owner` create the pool of `model_id`.
    @param model_id The Numerai model.
    @param model_name The pool's model name.
    @param owner The model's owner, who will create the pool.
    @param deadline Until when the attestation is valid (timestamp).
    """
    return self._model_ownership_digest(model_id, model_name, owner, deadline)


# ---- schedule ----


@external
@view
def current_round() -> uint256:
    """
    @notice The round open now.
    """
    return (block.timestamp - genesis) // round_length


@external
@view
def round_start(round: uint256) -> uint256:
    """
    @notice When `round` opens (timestamp).
    @param round A round id.
    """
    return genesis + round * round_length


# ---- roles ----


@external
@view
def is_settler(account: address) -> bool:
    """
    @notice True when `account` may settle pools.
    @param account Any address.
    """
    return Role.SETTLER in self.roles[account]


@external
@view
def is_attester(account: address) -> bool:
    """
    @notice True when `account` may attest model ownership for `create_pool`.
    @param account Any address.
    """
    return Role.ATTESTER in self.roles[account]


@external
@view
def is_guardian(account: address) -> bool:
    """
    @notice True when `account` may pause and shut down pools.
    @param account Any address.
    """
    return Role.GUARDIAN in self.roles[account]


@external
def grant_role(account: address, role: Role):
    """
    @notice Give `account` the roles in `role` (admin only).
    @param account The account.
    @param role One or more roles.
    """
    self._check_admin()
    assert account != empty(address), "factory: zero account"
    self.roles[account] = self.roles[account] | role
    log RoleGranted(account=account, role=role, sender=msg.sender)


@external
def revoke_role(account: address, role: Role):
    """
    @notice Take the roles in `role` from `account` (admin only). An admin cannot revoke its
            own admin role, so the factory always keeps one.
    @param account The account.
    @param role One or more roles.
    """
    self._check_admin()
    assert not (account == msg.sender and Role.ADMIN in role), "factory: cannot revoke own admin"
    self.roles[account] = self.roles[account] & ~role
    log RoleRevoked(account=account, role=role, sender=msg.sender)


# ---- caps ----


@external
@view
def return_cap() -> uint256:
    """
    @notice The largest |round_return| a pool accepts (WAD, at most 5%).
    """
    return self._caps >> 128


@external
@view
def fee_cap_bps() -> uint256:
    """
    @notice The largest performance fee a pool may charge (basis points).
    """
    return self._caps % 2**128


@external
def set_return_cap(return_cap: uint256):
    """
    @notice Set the largest |round_return| pools accept (admin only; at most 5%).
    @param return_cap WAD fraction.
    """
    self._check_admin()
    assert return_cap <= MAX_RETURN_CAP, "factory: cap above 5%"
    self._caps = return_cap << 128 | self._caps % 2**128
    log ReturnCapSet(return_cap=return_cap)


@external
def set_fee_cap(fee_cap_bps: uint256):
    """
    @notice Set the largest performance fee pools may charge (admin only).
    @param fee_cap_bps Basis points, at most 10,000.
    """
    self._check_admin()
    assert fee_cap_bps <= MAX_FEE_BPS, "factory: fee cap above 100%"
    self._caps = self._caps >> 128 << 128 | fee_cap_bps
    log FeeCapSet(fee_cap_bps=fee_cap_bps)


@external
def set_fee_delay_rounds(fee_delay_rounds: uint256):
    """
    @notice Set how many rounds a fee increase waits (admin only; at least 1).
    @param fee_delay_rounds Rounds.
    """
    self._check_admin()
    assert fee_delay_rounds >= 1, "factory: fee delay below 1 round"
    self.fee_delay_rounds = fee_delay_rounds
    log FeeDelaySet(fee_delay_rounds=fee_delay_rounds)


@external
def set_stall_gap(stall_gap: uint256):
    """
    @notice Set how long a pool's next round may wait unsettled after it closed before
            anyone may trigger its emergency exit (admin only; 30 to 365 days, so it stays
            longer than the resolution lag).
    @param stall_gap Seconds.
    """
    self._check_admin()
    assert stall_gap >= MIN_STALL_GAP, "factory: stall gap below 30 days"
    assert stall_gap <= MAX_STALL_GAP, "factory: stall gap above 365 days"
    self.stall_gap = stall_gap
    log StallGapSet(stall_gap=stall_gap)


# ---- internal ----


@internal
@view
def _model_ownership_digest(model_id: bytes32, model_name: String[24], owner: address, deadline: uint256) -> bytes32:
    struct_hash: bytes32 = keccak256(
        abi_encode(MODEL_OWNERSHIP_TYPEHASH, model_id, keccak256(model_name), owner, deadline)
    )
    return eip712_domain_separator._hash_typed_data_v4(struct_hash)


@internal
@view
def _check_admin():
    assert Role.ADMIN in self.roles[msg.sender], "factory: not admin"
