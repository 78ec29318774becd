"""Model-ownership attestations: who may create the pool of a Numerai model.

`PoolFactory.create_pool` accepts the caller as a model's owner only with an attester's
EIP-712 signature of

    ModelOwnership(bytes32 model_id, string model_name, address owner, uint256 deadline)

in the factory's domain ("NMR Delegation Pools", version "1", chain id, factory address).
An attester is an account the factory's admin granted the ATTESTER role (Numerai, which knows
who owns each model). This module builds that typed message and signs it; the signature
travels to the owner as a small JSON document (`Attestation.to_json`).
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
        document = json.loads(text)
        return cls(**{name: document[name] for name in cls.__dataclass_fields__})

    @property
    def signature_bytes(self) -> bytes:
        return bytes.fromhex(self.signature.removeprefix("0x"))

    @property
    def model_key(self) -> bytes:
        return bytes.fromhex(self.model_id.removeprefix("0x"))


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


def signature_hex(v: int, r: int | bytes, s: int | bytes) -> str:
    """`0x` + r + s + v, the 65-byte form the factory verifies."""
    r_bytes = r if isinstance(r, bytes) else r.to_bytes(32, "big")
    s_bytes = s if isinstance(s, bytes) else s.to_bytes(32, "big")
    return "0x" + (r_bytes + s_bytes + bytes([v])).hex()


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
