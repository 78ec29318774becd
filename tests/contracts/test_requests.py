"""DelegationPool: ERC-7540 requests, cancellations, claims, operators and interface views."""

import boa
import pytest
from eth_utils import function_signature_to_4byte_selector as selector

from tests.contracts.conftest import NMR, WAD, ZERO_ADDRESS, events
from tests.fuzz.chain import Reverted, send


@pytest.fixture
def funded(pool, fund, alice, bob):
    fund(alice, 1_000 * NMR, pool)
    fund(bob, 1_000 * NMR, pool)
    return pool


@pytest.fixture
def lagging(funded, next_round):
    """A pool with one closed, unsettled round: requests now wait for a settlement."""
    next_round()
    return funded


def interface_id(*signatures: str) -> bytes:
    value = 0
    for signature in signatures:
        value ^= int.from_bytes(selector(signature), "big")
    return value.to_bytes(4, "big")


def test_supports_interface__7540_7575_165(pool):
    ids = {
        "erc165": interface_id("supportsInterface(bytes4)"),
        "operator": interface_id("isOperator(address,address)", "setOperator(address,bool)"),
        "deposit": interface_id(
            "requestDeposit(uint256,address,address)",
            "pendingDepositRequest(uint256,address)",
            "claimableDepositRequest(uint256,address)",
            "deposit(uint256,address,address)",
            "mint(uint256,address,address)",
        ),
        "redeem": interface_id(
            "requestRedeem(uint256,address,address)",
            "pendingRedeemRequest(uint256,address)",
            "claimableRedeemRequest(uint256,address)",
        ),
        "erc7575": interface_id(
            "asset()",
            "share()",
            "convertToShares(uint256)",
            "convertToAssets(uint256)",
            "totalAssets()",
            "maxDeposit(address)",
            "previewDeposit(uint256)",
            "deposit(uint256,address)",
            "maxMint(address)",
            "previewMint(uint256)",
            "mint(uint256,address)",
            "maxWithdraw(address)",
            "previewWithdraw(uint256)",
            "withdraw(uint256,address,address)",
            "maxRedeem(address)",
            "previewRedeem(uint256)",
            "redeem(uint256,address,address)",
        ),
    }
    for name, iid in ids.items():
        assert pool.supportsInterface(iid), name
    assert not pool.supportsInterface(b"\xff\xff\xff\xff")


@pytest.mark.parametrize("method", ["previewDeposit", "previewMint", "previewRedeem", "previewWithdraw"])
def test_previews__revert(pool, method, alice):
    # ERC-7540: previews must revert; neither half of the pool has them, so the fallback's
    # delegatecall to the extension fails and the call reverts
    data = selector(f"{method}(uint256)") + NMR.to_bytes(32, "big")
    computation = boa.env.execute_code(to_address=pool.address, sender=alice, data=data)
    assert computation.is_error


def test_request_deposit__caught_up__converts_at_once(funded, alice, nmr):
    r = funded.current_round()
    funded.requestDeposit(10 * NMR, alice, alice, sender=alice)
    event = events(funded, "DepositRequest")[0]
    assert (event.controller, event.owner, event.requestId, event.sender, event.assets) == (
        alice,
        alice,
        r,
        alice,
        10 * NMR,
    )
    assert nmr.balanceOf(funded) == 10 * NMR
    assert funded.pendingDepositRequest(r, alice) == 0
    assert funded.claimableDepositRequest(r, alice) == 10 * NMR
    assert funded.maxDeposit(alice) == 10 * NMR and funded.maxMint(alice) == 10 * NMR
    # the shares are counted at once but minted when claimed
    assert funded.totalAssets() == 10 * NMR and funded.share_supply() == 10 * NMR
    assert funded.totalSupply() == 0
    funded.deposit(10 * NMR, alice, sender=alice)
    assert funded.totalSupply() == funded.share_supply() == funded.balanceOf(alice) == 10 * NMR


def test_request_deposit__lagging__waits_for_settlement(lagging, alice, settler):
    r = lagging.current_round()
    lagging.requestDeposit(10 * NMR, alice, alice, sender=alice)
    assert lagging.pendingDepositRequest(r, alice) == 10 * NMR
    assert lagging.pending_deposit_assets() == 10 * NMR
    assert lagging.maxDeposit(alice) == 0 and lagging.totalAssets() == 0
    assert lagging.pending_requests(alice, False) == [[r, 10 * NMR]]
    lagging.settle(r - 1, 0, b"\0" * 32, sender=settler)
    settled = events(lagging, "Settled")[0]
    assert (settled.round, settled.deposit_assets, settled.deposit_shares) == (r - 1, 10 * NMR, 10 * NMR)
    assert lagging.deposit_group(r) == (10 * NMR, 10 * NMR)
    assert lagging.pendingDepositRequest(r, alice) == 0
    assert lagging.maxDeposit(alice) == 10 * NMR and lagging.maxMint(alice) == 10 * NMR
    assert lagging.pending_requests(alice, False) == []


def test_request_deposit__same_round_tops_up_one_request(lagging, alice):
    r = lagging.current_round()
    lagging.requestDeposit(3 * NMR, alice, alice, sender=alice)
    lagging.requestDeposit(4 * NMR, alice, alice, sender=alice)
    assert lagging.pending_requests(alice, False) == [[r, 7 * NMR]]


def test_request_deposit__several_rounds_queue_and_convert_in_order(lagging, alice, settler, next_round):
    r = lagging.current_round()
    lagging.requestDeposit(3 * NMR, alice, alice, sender=alice)
    next_round()
    lagging.requestDeposit(5 * NMR, alice, alice, sender=alice)
    assert lagging.pending_requests(alice, False) == [[r, 3 * NMR], [r + 1, 5 * NMR]]
    lagging.settle(r - 1, 0, b"\0" * 32, sender=settler)
    assert lagging.maxDeposit(alice) == 3 * NMR
    assert lagging.pendingDepositRequest(r + 1, alice) == 5 * NMR
    lagging.settle(r, 10**16, b"\0" * 32, sender=settler)  # +1% on the 3 NMR already in
    assert lagging.maxDeposit(alice) == 8 * NMR
    assert lagging.pendingDepositRequest(r + 1, alice) == 0


def test_request_deposit__queue_past_the_headers_entries__claims_in_order(
    lagging, alice, settler, next_round
):
    # the deposit header holds a queue's first two entries; the third is stored on its own
    r = lagging.current_round()
    for k, amount in enumerate((1, 2, 3)):
        if k:
            next_round()
        lagging.requestDeposit(amount * NMR, alice, alice, sender=alice)
    lagging.requestDeposit(NMR, alice, alice, sender=alice)  # a top-up of the third
    assert lagging.pending_requests(alice, False) == [[r, NMR], [r + 1, 2 * NMR], [r + 2, 4 * NMR]]
    lagging.settle(r - 1, 0, b"\0" * 32, sender=settler)
    lagging.deposit(NMR, alice, sender=alice)  # the first leaves; the second stays in the header
    assert lagging.pending_requests(alice, False) == [[r + 1, 2 * NMR], [r + 2, 4 * NMR]]
    lagging.settle(r, 0, b"\0" * 32, sender=settler)
    assert lagging.maxDeposit(alice) == 2 * NMR
    assert lagging.pending_requests(alice, False) == [[r + 2, 4 * NMR]]
    lagging.settle(r + 1, 0, b"\0" * 32, sender=settler)
    assert lagging.maxDeposit(alice) == 6 * NMR and lagging.pending_requests(alice, False) == []
    lagging.deposit(6 * NMR, alice, sender=alice)
    assert lagging.balanceOf(alice) == 7 * NMR == lagging.share_supply()


@pytest.mark.parametrize(
    "assets, controller_is_zero, message",
    [(0, False, "pool: zero assets"), (NMR, True, "pool: zero controller")],
)
def test_request_deposit__bad_arguments__revert(funded, alice, assets, controller_is_zero, message):
    controller = ZERO_ADDRESS if controller_is_zero else alice
    with boa.reverts(message):
        funded.requestDeposit(assets, controller, alice, sender=alice)


def test_request_deposit__for_someone_elses_nmr__reverts(funded, alice, bob):
    with boa.reverts("pool: not controller or operator"):
        funded.requestDeposit(NMR, bob, alice, sender=bob)


def test_request_deposit__without_allowance__reverts(pool, fund, alice):
    fund(alice, NMR)
    # mainnet NMR refuses without a reason; nothing moves
    assert send(pool, "requestDeposit", NMR, alice, alice, sender=alice) == Reverted("")
    assert pool.pending_deposit_assets() == 0


def test_operator__can_request_and_claim_for_controller(funded, alice, bob):
    funded.setOperator(bob, True, sender=alice)
    event = events(funded, "OperatorSet")[0]
    assert (event.controller, event.operator, event.approved) == (alice, bob, True)
    assert funded.isOperator(alice, bob)
    funded.requestDeposit(5 * NMR, alice, alice, sender=bob)
    funded.deposit(5 * NMR, bob, alice, sender=bob)
    assert funded.balanceOf(bob) == 5 * NMR
    funded.setOperator(bob, False, sender=alice)
    with boa.reverts("pool: not controller or operator"):
        funded.requestDeposit(NMR, alice, alice, sender=bob)


def test_operator__self__reverts(pool, alice):
    with boa.reverts("pool: cannot be own operator"):
        pool.setOperator(alice, True, sender=alice)


def test_claims__nobody_claims_someone_elses(funded, alice, bob):
    funded.requestDeposit(5 * NMR, alice, alice, sender=alice)
    with boa.reverts("pool: not controller or operator"):
        funded.deposit(5 * NMR, bob, alice, sender=bob)
    with boa.reverts("pool: not controller or operator"):
        funded.mint(5 * NMR, bob, alice, sender=bob)
    with boa.reverts("pool: more than claimable"):
        funded.deposit(5 * NMR, bob, sender=bob)  # bob has nothing of his own


def test_deposit_and_mint__partial_claims_add_up(lagging, alice, bob, settler):
    r = lagging.current_round()
    lagging.requestDeposit(3 * NMR, alice, alice, sender=alice)
    lagging.settle(r - 1, 0, b"\0" * 32, sender=settler)
    lagging.requestDeposit(7, bob, bob, sender=bob)  # caught up now: converts at once
    lagging.deposit(NMR, alice, sender=alice)
    claimed = events(lagging, "Deposit")[0]
    assert (claimed.sender, claimed.owner, claimed.assets, claimed.shares) == (alice, alice, NMR, NMR)
    lagging.mint(NMR, alice, sender=alice)
    with boa.reverts("pool: more than claimable"):
        lagging.deposit(NMR + 1, alice, sender=alice)
    lagging.deposit(NMR, alice, alice, sender=alice)
    assert lagging.balanceOf(alice) == 3 * NMR
    assert lagging.maxDeposit(alice) == 0 and lagging.maxMint(alice) == 0
    with boa.reverts("pool: zero assets"):
        lagging.deposit(0, alice, sender=alice)
    with boa.reverts("pool: zero shares"):
        lagging.mint(0, alice, sender=alice)


def test_request_redeem__caught_up__converts_at_once(funded, alice, nmr):
    funded.requestDeposit(10 * NMR, alice, alice, sender=alice)
    funded.deposit(10 * NMR, alice, sender=alice)
    r = funded.current_round()
    funded.requestRedeem(4 * NMR, alice, alice, sender=alice)
    event = events(funded, "RedeemRequest")[0]
    assert (event.controller, event.owner, event.requestId, event.shares) == (alice, alice, r, 4 * NMR)
    assert funded.claimableRedeemRequest(r, alice) == 4 * NMR
    assert funded.maxRedeem(alice) == 4 * NMR and funded.maxWithdraw(alice) == 4 * NMR
    funded.redeem(4 * NMR, alice, alice, sender=alice)
    withdrawn = events(funded, "Withdraw")[0]
    assert (withdrawn.receiver, withdrawn.owner, withdrawn.assets, withdrawn.shares) == (
        alice,
        alice,
        4 * NMR,
        4 * NMR,
    )
    assert nmr.balanceOf(alice) == 994 * NMR


def test_request_redeem__lagging__bears_earlier_rounds_only(lagging, alice, settler, next_round):
    # alice is in since before the lag; her redemption in round r bears round r-1, not r
    r = lagging.current_round()
    lagging.settle(r - 1, 0, b"\0" * 32, sender=settler)
    lagging.requestDeposit(100 * NMR, alice, alice, sender=alice)
    lagging.deposit(100 * NMR, alice, sender=alice)
    next_round()  # round r closes unsettled
    lagging.requestRedeem(100 * NMR, alice, alice, sender=alice)  # made in r + 1
    assert lagging.pendingRedeemRequest(r + 1, alice) == 100 * NMR
    # the shares are burned at the request and counted as pending until they convert
    assert lagging.balanceOf(alice) == 0 and lagging.balanceOf(lagging) == 0
    assert lagging.pending_redeem_shares() == 100 * NMR and lagging.share_supply() == 100 * NMR
    lagging.settle(r, -2 * 10**16, b"\0" * 32, sender=settler)  # round r: -2%, she bears it
    # 100 * (98e18 + 1) / (100e18 + 1) NMR, rounded down
    assert lagging.maxWithdraw(alice) == 98 * NMR
    next_round()
    lagging.settle(r + 1, -5 * 10**16, b"\0" * 32, sender=settler)  # round r+1: she is out
    assert lagging.maxWithdraw(alice) == 98 * NMR


def test_withdraw__partial_rounds_up_shares(funded, alice, bob):
    funded.requestDeposit(10 * NMR, alice, alice, sender=alice)
    funded.deposit(10 * NMR, alice, sender=alice)
    funded.requestRedeem(3, alice, alice, sender=alice)
    with boa.reverts("pool: more than claimable"):
        funded.withdraw(4, alice, alice, sender=alice)
    with boa.reverts("pool: not controller or operator"):
        funded.withdraw(1, bob, alice, sender=bob)
    funded.withdraw(1, alice, alice, sender=alice)
    assert funded.maxRedeem(alice) == 2 and funded.maxWithdraw(alice) == 2
    with boa.reverts("pool: zero assets"):
        funded.withdraw(0, alice, alice, sender=alice)
    with boa.reverts("pool: zero shares"):
        funded.redeem(0, alice, alice, sender=alice)


def test_request_redeem__by_share_allowance(funded, alice, bob):
    funded.requestDeposit(10 * NMR, alice, alice, sender=alice)
    funded.deposit(10 * NMR, alice, sender=alice)
    with boa.reverts("erc20: insufficient allowance"):
        funded.requestRedeem(NMR, bob, alice, sender=bob)
    funded.approve(bob, NMR, sender=alice)
    funded.requestRedeem(NMR, bob, alice, sender=bob)
    assert funded.maxRedeem(bob) == NMR and funded.allowance(alice, bob) == 0


def test_request_redeem__more_than_balance__reverts(funded, alice):
    with boa.reverts("erc20: burn amount exceeds balance"):
        funded.requestRedeem(1, alice, alice, sender=alice)


def test_cancel_deposit__while_round_open__refunds(lagging, alice, bob, nmr):
    r = lagging.current_round()
    lagging.requestDeposit(6 * NMR, alice, alice, sender=alice)
    with boa.reverts("pool: not controller or operator"):
        lagging.cancelDepositRequest(r, alice, bob, sender=bob)
    lagging.cancelDepositRequest(r, alice, alice, sender=alice)
    event = events(lagging, "DepositRequestCancelled")[0]
    assert (event.controller, event.requestId, event.receiver, event.assets) == (alice, r, alice, 6 * NMR)
    assert nmr.balanceOf(alice) == 1_000 * NMR
    assert lagging.pending_deposit_assets() == 0 and lagging.deposit_group(r) == (0, 0)
    with boa.reverts("pool: nothing pending to cancel"):
        lagging.cancelDepositRequest(r, alice, alice, sender=alice)


def test_cancel_deposit__after_round_closed__reverts(lagging, alice, next_round):
    r = lagging.current_round()
    lagging.requestDeposit(6 * NMR, alice, alice, sender=alice)
    next_round()
    with boa.reverts("pool: round closed, cannot cancel"):
        lagging.cancelDepositRequest(r, alice, alice, sender=alice)


def test_cancel_deposit__converted_request__reverts(funded, alice):
    r = funded.current_round()
    funded.requestDeposit(6 * NMR, alice, alice, sender=alice)
    with boa.reverts("pool: request already converted"):
        funded.cancelDepositRequest(r, alice, alice, sender=alice)


def test_cancel_redeem__returns_shares(lagging, alice, settler, next_round):
    r = lagging.current_round()
    lagging.settle(r - 1, 0, b"\0" * 32, sender=settler)
    lagging.requestDeposit(10 * NMR, alice, alice, sender=alice)
    lagging.deposit(10 * NMR, alice, sender=alice)
    r = next_round()
    lagging.requestRedeem(4 * NMR, alice, alice, sender=alice)
    lagging.cancelRedeemRequest(r, alice, alice, sender=alice)
    event = events(lagging, "RedeemRequestCancelled")[0]
    assert (event.controller, event.requestId, event.shares) == (alice, r, 4 * NMR)
    assert lagging.balanceOf(alice) == 10 * NMR and lagging.pending_redeem_shares() == 0
    lagging.requestRedeem(4 * NMR, alice, alice, sender=alice)
    next_round()
    with boa.reverts("pool: round closed, cannot cancel"):
        lagging.cancelRedeemRequest(r, alice, alice, sender=alice)


def test_queue__too_many_open_requests__reverts(lagging, alice, next_round):
    for _ in range(64):
        lagging.requestDeposit(1, alice, alice, sender=alice)
        next_round()
    with boa.reverts("pool: too many open requests"):
        lagging.requestDeposit(1, alice, alice, sender=alice)


def test_share_transfer__moves_balance_only(funded, alice, bob):
    funded.requestDeposit(10 * NMR, alice, alice, sender=alice)
    funded.deposit(10 * NMR, alice, sender=alice)
    price = funded.price_per_share()
    funded.transfer(bob, 4 * NMR, sender=alice)
    assert (funded.balanceOf(alice), funded.balanceOf(bob)) == (6 * NMR, 4 * NMR)
    assert funded.price_per_share() == price == WAD


def test_requests__for_someone_elses_queue__refused(funded, alice, bob, settler, next_round):
    # finding 5: with settlement lagging, 64 dust requests in a victim's name would fill its queue;
    # only the controller or its operators may file requests for it
    funded.requestDeposit(10 * NMR, alice, alice, sender=alice)
    funded.deposit(10 * NMR, alice, sender=alice)
    next_round()
    with boa.reverts("pool: not controller or operator"):
        funded.requestDeposit(1, bob, alice, sender=alice)
    with boa.reverts("pool: not controller or operator"):
        funded.requestRedeem(1, bob, alice, sender=alice)
    # once bob makes alice his operator she may file for him (the shares/NMR are still hers)
    funded.setOperator(alice, True, sender=bob)
    r = funded.requestDeposit(1, bob, alice, sender=alice)
    assert funded.pendingDepositRequest(r, bob) == 1
    funded.requestRedeem(1, bob, alice, sender=alice)
    assert funded.pendingRedeemRequest(r, bob) == 1
