"""A contract view function as its ABI signature: encode a call, decode the answer.

Ape's contract calls cost milliseconds each (ABI lookup, conversions, one RPC request per
call); reading hundreds of pools goes through these plain signatures instead, batched by
`nmr_pools.chain.batch_reads`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_abi import decode, encode
from eth_utils import function_signature_to_4byte_selector


@dataclass(frozen=True)
class View:
    """`name(inputs...) -> output` of a contract, e.g. `View("pool_at", ("uint256",), "address")`."""

    name: str
    inputs: tuple[str, ...] = ()
    output: str = "uint256"
    selector: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        signature = f"{self.name}({','.join(self.inputs)})"
        object.__setattr__(self, "selector", function_signature_to_4byte_selector(signature))

    @property
    def signature(self) -> str:
        return f"{self.name}({','.join(self.inputs)})"

    def calldata(self, *args: Any) -> bytes:
        """Selector + ABI-encoded arguments."""
        if len(args) != len(self.inputs):
            raise TypeError(f"{self.signature} takes {len(self.inputs)} argument(s), got {len(args)}")
        return self.selector + (encode(list(self.inputs), list(args)) if self.inputs else b"")

    def decode(self, data: bytes) -> Any:
        """The answer as a Python value (addresses checksummed, bytes32 as bytes)."""
        (value,) = decode([self.output], data)
        if self.output == "address":
            from eth_utils import to_checksum_address

            return to_checksum_address(value)
        return value
