"""Model ownership is attested: only the owner an attester signed for can create a model's pool (finding 5).

The attestation is an EIP-712 `ModelOwnership(model_id, model_name, owner, deadline)` signed
in the factory's domain by an account with the ATTESTER role: an EOA (ECDSA) or a contract
such as a Safe (EIP-1271).
"""

import boa
import pytest
from eth_utils import keccak

from nmr_pools.attestation import attest_with_key, ownership_message, signable
from tests.contracts.conftest import ZERO_ADDRESS, model, quietly
from tests.fuzz.world import actor_account

ATTESTER = 8
DEPLOYER_KEY = actor_account("deployer").key
DAY = 86_400


def attestation(factory, model_id, name, owner, key=DEPLOYER_KEY, deadline=None):
    signed = attest_with_key(
        key,
        chain_id=factory.eip712Domain()[3],
        factory=str(factory.address),
        model_id=model_id,
        model_name=name,
        owner=owner,
        deadline=deadline if deadline is not None else boa.env.timestamp + DAY,
    )
    return signed.attester, signed.deadline, signed.signature_bytes


def test_create_pool__attested_owner__creates(factory, owner):
    pool = quietly(
        lambda: factory.create_pool(
            model("a"), "a", 0, *attestation(factory, model("a"), "a", owner), sender=owner
        )
    )
    assert factory.pool_of(model("a")) == pool


def test_digest__matches_the_typed_message_wallets_sign(factory, owner):
    # the digest the factory checks is the EIP-712 hash any wallet computes for the message
    message = ownership_message(factory.eip712Domain()[3], str(factory.address), model("a"), "a", owner, 123)
    signable_message = signable(message)
    expected = keccak(b"\x19" + signable_message.version + signable_message.header + signable_message.body)
    assert factory.model_ownership_digest(model("a"), "a", owner, 123) == expected


def test_create_pool__someone_else_with_the_owners_attestation__reverts(factory, owner, outsider):
    # the squatter of finding 5: the attestation names the owner, not the caller
    signed = attestation(factory, model("a"), "a", owner)
    with boa.reverts("factory: invalid attestation"):
        factory.create_pool(model("a"), "a", 0, *signed, sender=outsider)


@pytest.mark.parametrize("what", ["model", "name", "deadline"])
def test_create_pool__attestation_for_something_else__reverts(factory, owner, what):
    attester, deadline, signature = attestation(factory, model("a"), "a", owner)
    model_id, name = model("a"), "a"
    if what == "model":
        model_id = model("b")
    elif what == "name":
        name = "official"
    else:
        deadline += 1
    with boa.reverts("factory: invalid attestation"):
        factory.create_pool(model_id, name, 0, attester, deadline, signature, sender=owner)


def test_create_pool__signer_without_the_role__reverts(factory, owner, outsider):
    outsider_key = actor_account("outsider").key
    attester, deadline, signature = attestation(factory, model("a"), "a", owner, key=outsider_key)
    with boa.reverts("factory: not an attester"):
        factory.create_pool(model("a"), "a", 0, attester, deadline, signature, sender=owner)


def test_create_pool__claimed_attester_did_not_sign__reverts(factory, owner, outsider):
    # a signature by a non-attester presented as the deployer's
    _, deadline, signature = attestation(factory, model("a"), "a", owner, key=actor_account("outsider").key)
    with boa.reverts("factory: invalid attestation"):
        factory.create_pool(
            model("a"), "a", 0, actor_account("deployer").address, deadline, signature, sender=owner
        )


def test_create_pool__expired_attestation__reverts(factory, owner):
    signed = attestation(factory, model("a"), "a", owner, deadline=boa.env.timestamp - 1)
    with boa.reverts("factory: attestation expired"):
        factory.create_pool(model("a"), "a", 0, *signed, sender=owner)


def test_create_pool__revoked_attester__reverts(factory, deployer, owner, outsider):
    outsider_key = actor_account("outsider").key
    factory.grant_role(outsider, ATTESTER, sender=deployer)
    signed = attestation(factory, model("a"), "a", owner, key=outsider_key)
    factory.revoke_role(outsider, ATTESTER, sender=deployer)
    with boa.reverts("factory: not an attester"):
        factory.create_pool(model("a"), "a", 0, *signed, sender=owner)


def test_create_pool__second_pool_for_a_model__reverts(factory, owner):
    signed = attestation(factory, model("a"), "a", owner)
    quietly(lambda: factory.create_pool(model("a"), "a", 0, *signed, sender=owner))
    with boa.reverts("factory: model has a pool"):
        factory.create_pool(model("a"), "a", 0, *signed, sender=owner)


def test_create_pool__contract_attester__eip1271(factory, deployer, owner):
    # an attester that is a contract (a Safe, say) approves the digest on chain
    wallet = boa.loads(EIP1271_WALLET)
    factory.grant_role(wallet.address, ATTESTER, sender=deployer)
    deadline = boa.env.timestamp + DAY
    digest = factory.model_ownership_digest(model("a"), "a", owner, deadline)
    wallet.approve(digest)
    pool = quietly(
        lambda: factory.create_pool(model("a"), "a", 0, wallet.address, deadline, b"\0" * 65, sender=owner)
    )
    assert factory.pool_of(model("a")) == pool
    with boa.reverts("factory: invalid attestation"):  # a digest the wallet did not approve
        factory.create_pool(model("b"), "b", 0, wallet.address, deadline, b"\0" * 65, sender=owner)


EIP1271_WALLET = """
# pragma version ~=0.4.3
approved: public(HashMap[bytes32, bool])

@external
def approve(digest: bytes32):
    self.approved[digest] = True

@external
@view
def isValidSignature(digest: bytes32, signature: Bytes[65]) -> bytes4:
    if self.approved[digest]:
        return 0x1626ba7e
    return 0xffffffff
"""


def test_zero_attester__refused(factory, owner):
    _, deadline, signature = attestation(factory, model("a"), "a", owner)
    with boa.reverts("factory: not an attester"):
        factory.create_pool(model("a"), "a", 0, ZERO_ADDRESS, deadline, signature, sender=owner)
