# pragma version ~=0.4.3
"""
@title Payout treasury
@notice Holds the NMR that positive round results are paid from. Anyone can fund it;
        only pools registered in the factory can draw a payout, and only for themselves.
        A payout larger than what the treasury holds is paid in part (never refused, so an
        empty treasury cannot stall a pool); the pool records the rest as owed and draws it
        once the treasury is refilled.
@custom:security The factory deploys the treasury (from its blueprint, in the factory's own
                 constructor), so the factory is an immutable: there is no moment in which
                 the treasury exists without it, and nobody can change it or move NMR out
                 except registered pools drawing payouts.
"""

interface INumeraire:
    def transfer(to: address, amount: uint256) -> bool: nonpayable
    def transferFrom(owner: address, to: address, amount: uint256) -> bool: nonpayable
    def balanceOf(account: address) -> uint256: view


interface IPoolFactory:
    def is_pool(pool: address) -> bool: view


# ---- storage ----

# the NMR token (an immutable: a payout reads no storage for it)
nmr: public(immutable(address))
# the factory whose pools may draw payouts (an immutable: a payout reads no storage for it)
factory: public(immutable(address))

# ---- events ----

event Funded:
    sender: indexed(address)
    amount: uint256


# ---- constructor ----


@deploy
def __init__(nmr_token: address, pool_factory: address):
    """
    @notice Deploy the treasury for `nmr_token`, paying the pools of `pool_factory` (the
            factory deploys it from its blueprint and passes itself).
    @param nmr_token The NMR token.
    @param pool_factory The PoolFactory whose registered pools may draw payouts.
    """
    assert nmr_token != empty(address), "treasury: zero NMR"
    assert pool_factory != empty(address), "treasury: zero factory"
    nmr = nmr_token
    factory = pool_factory


# ---- external ----


@external
@nonreentrant
def fund(amount: uint256):
    """
    @notice Add `amount` NMR from the caller (approve the treasury first).
    @param amount NMR wei.
    """
    assert amount > 0, "treasury: zero amount"
    assert extcall INumeraire(nmr).transferFrom(msg.sender, self, amount), "treasury: NMR transfer failed"
    log Funded(sender=msg.sender, amount=amount)


@external
@nonreentrant
def pay(amount: uint256) -> uint256:
    """
    @notice Pay up to `amount` NMR of a round's gain to the calling pool: all of it, or what
            the treasury holds when that is less. No event of its own: NMR's Transfer says
            what was paid to which pool, the pool's Settled or OwedCollected what it asked for.
    @param amount NMR wei.
    @return The NMR paid.
    """
    assert staticcall IPoolFactory(factory).is_pool(msg.sender), "treasury: caller is not a pool"
    paid: uint256 = min(amount, staticcall INumeraire(nmr).balanceOf(self))
    if paid > 0:
        assert extcall INumeraire(nmr).transfer(msg.sender, paid), "treasury: NMR transfer failed"
    return paid


@external
@view
def available() -> uint256:
    """
    @notice NMR available for payouts.
    """
    return staticcall INumeraire(nmr).balanceOf(self)
