"""Model-ownership attestations: who may create the pool of a Numerai model.

`PoolFactory.create_pool` accepts the caller as a model's owner only with an attester's
EIP-712 signature of

    ModelOwnership(bytes32 model_id, string model_name, address owner, uint256 deadline)

in the factory's domain ("NMR Delegation Pools", version "1", chain id, factory address).
An attester is an account the factory's admin granted the ATTESTER role (Numerai, which knows
who owns each model). This module builds that typed message and signs it, with a raw key
(`attest_with_key`) or an Ape account (`attest_with_account`: a TEST:: account or a keyfile);
the signature travels to the owner as a small JSON document (`Attestation.to_json`), and
`recover_attester` / `digest` let a tool check it before sending (the factory's
`model_ownership_digest` view gives the digest it will verify).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

DOMAIN_NAME = "NMR Delegation Pools"
DOMAIN_VERSION = "1"


@dataclass(frozen=True)
class Attestation:
    """An attester's signed statement that `owner` owns model `model_id` (named `model_name`)."""

    chain_id: int
    factory: str
    model_id: str  # 0x + 64 hex: the factory's bytes32 key of the model
    model_name: str
    owner: str
    deadline: int
    attester: str
    signature: str  # 0x + 130 hex (r, s, v)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Attestation:
        """Parse the document; ValueError with a sentence when it is not an attestation."""
        try:
            document = json.loads(text)
            fields = {name: document[name] for name in cls.__dataclass_fields__}
        except json.JSONDecodeError as error:
            raise ValueError(f"not JSON ({error.msg} at line {error.lineno})") from None
        except (KeyError, TypeError) as error:
            raise ValueError(f"not an attestation: the field {error} is missing") from None
        try:
            attestation = cls(
                chain_id=int(fields["chain_id"]),
                factory=str(fields["factory"]),
                model_id=str(fields["model_id"]),
                model_name=str(fields["model_name"]),
                owner=str(fields["owner"]),
                deadline=int(fields["deadline"]),
                attester=str(fields["attester"]),
                signature=str(fields["signature"]),
            )
            key, signature = attestation.model_key, attestation.signature_bytes
        except ValueError as error:
            raise ValueError(f"not an attestation: {error}") from None
        if len(key) != 32:
            raise ValueError(f"not an attestation: model_id has {len(key)} bytes, not 32")
        if len(signature) != 65:
            raise ValueError(f"not an attestation: the signature has {len(signature)} bytes, not 65")
        return attestation

    @property
    def signature_bytes(self) -> bytes:
        return bytes.fromhex(self.signature.removeprefix("0x"))

    @property
    def model_key(self) -> bytes:
        return bytes.fromhex(self.model_id.removeprefix("0x"))

    @property
    def message(self) -> dict[str, Any]:
        """The typed message this attestation signs."""
        return ownership_message(
            self.chain_id, self.factory, self.model_key, self.model_name, self.owner, self.deadline
        )


def ownership_message(
    chain_id: int, factory: str, model_id: bytes, model_name: str, owner: str, deadline: int
) -> dict[str, Any]:
    """The EIP-712 typed message (eth_account's `full_message` shape) an attester signs."""
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "ModelOwnership": [
                {"name": "model_id", "type": "bytes32"},
                {"name": "model_name", "type": "string"},
                {"name": "owner", "type": "address"},
                {"name": "deadline", "type": "uint256"},
            ],
        },
        "primaryType": "ModelOwnership",
        "domain": {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": chain_id,
            "verifyingContract": factory,
        },
        "message": {"model_id": model_id, "model_name": model_name, "owner": owner, "deadline": deadline},
    }


def signable(message: dict[str, Any]) -> Any:
    """The message as eth_account's `SignableMessage` (what wallets and Ape accounts sign)."""
    from eth_account.messages import encode_typed_data

    return encode_typed_data(full_message=message)


def digest(message: dict[str, Any]) -> bytes:
    """The EIP-712 digest of the message: keccak256(0x19 0x01 domain separator struct hash),
    what the signature signs and what `PoolFactory.model_ownership_digest` returns."""
    from eth_utils import keccak

    signable_message = signable(message)
    return bytes(keccak(b"\x19" + signable_message.version + signable_message.header + signable_message.body))


def recover_attester(attestation: Attestation) -> str:
    """The address whose key made the signature (an EOA attester; a contract attester signs
    through EIP-1271 instead, which only the chain can check). ValueError if it is malformed."""
    from eth_account import Account

    try:
        return str(
            Account.recover_message(signable(attestation.message), signature=attestation.signature_bytes)
        )
    except Exception as error:  # noqa: BLE001 - eth_keys' BadSignature and kin
        raise ValueError(f"the signature cannot be recovered ({error})") from None


def signature_hex(v: int, r: int | bytes, s: int | bytes) -> str:
    """`0x` + r + s + v, the 65-byte form the factory verifies. r and s are padded to 32 bytes
    (Ape gives them as minimal big-endian bytes: one in 256 signatures has a shorter r or s)."""
    r_int = r if isinstance(r, int) else int.from_bytes(r, "big")
    s_int = s if isinstance(s, int) else int.from_bytes(s, "big")
    return "0x" + (r_int.to_bytes(32, "big") + s_int.to_bytes(32, "big") + bytes([v])).hex()


def attest_with_key(
    private_key: bytes | str,
    *,
    chain_id: int,
    factory: str,
    model_id: bytes,
    model_name: str,
    owner: str,
    deadline: int,
) -> Attestation:
    """Sign an attestation with a raw key (tests, and keys the caller already holds)."""
    from eth_account import Account

    message = ownership_message(chain_id, factory, model_id, model_name, owner, deadline)
    signed = Account.sign_message(signable(message), private_key)
    attester = Account.from_key(private_key).address
    return Attestation(
        chain_id=chain_id,
        factory=factory,
        model_id="0x" + model_id.hex(),
        model_name=model_name,
        owner=owner,
        deadline=deadline,
        attester=attester,
        signature=signature_hex(signed.v, signed.r, signed.s),
    )


def attest_with_account(
    account: Any,
    *,
    chain_id: int,
    factory: str,
    model_id: bytes,
    model_name: str,
    owner: str,
    deadline: int,
) -> Attestation | None:
    """Sign an attestation with an Ape account (TEST::n, or a keyfile, which shows the message
    and asks "Sign: [y/N]"); None when the signer declined.

    Ape returns a `MessageSignature` (v, r and s as bytes); the factory takes r | s | v.
    """
    message = ownership_message(chain_id, factory, model_id, model_name, owner, deadline)
    signed = account.sign_message(signable(message))
    if signed is None:
        return None
    return Attestation(
        chain_id=chain_id,
        factory=factory,
        model_id="0x" + model_id.hex(),
        model_name=model_name,
        owner=owner,
        deadline=deadline,
        attester=str(account.address),
        signature=signature_hex(int(signed.v), signed.r, signed.s),
    )
