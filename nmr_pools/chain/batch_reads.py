"""Many view calls at once: through the Multicall aggregator, or one by one as a fallback.

    reader = open_reader(provider, deployment.multicall)   # pins the latest block
    rounds = reader.read([Read(pool, LAST_SETTLED_ROUND) for pool in pools])

`MulticallReader` packs up to `MAX_CALLS_PER_REQUEST` sub-calls into one `eth_call` of
`Multicall.aggregate_static` (contracts/Multicall.vy): reading 1,000 pools' state takes a
dozen requests instead of thousands. `PlainReader` sends one `eth_call` per sub-call (what a
deployments file without an aggregator gets: correct, slow). Both read every call at the same
block, so one batch of answers is one consistent picture of the chain, and both raise
`ReadError` naming the contract and the function when a call does not answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi import decode, encode
from eth_abi.exceptions import DecodingError

from nmr_pools.chain.views import View
from nmr_pools.errors import NmrPoolsError

# snekmate's multicall bound (max_value(uint8)): the most sub-calls one aggregate_static takes
MAX_CALLS_PER_REQUEST = 255
# Multicall.aggregate_static((address,bool,bytes)[]) -> (bool,bytes)[]
AGGREGATE_STATIC = View("aggregate_static", ("(address,bool,bytes)[]",), "(bool,bytes)[]")
_FIX = "fix the deployments file's `multicall` address (or remove it to read one call at a time)"


class ReadError(NmrPoolsError):
    """A view call that reverted or reached an address without code."""


@dataclass(frozen=True)
class Read:
    """One view call: `target.view(*args)`."""

    target: str
    view: View
    args: tuple[Any, ...] = ()

    def describe(self) -> str:
        shown = ", ".join(str(a) if not isinstance(a, bytes) else "0x" + a.hex() for a in self.args)
        return f"{self.view.name}({shown}) at {self.target}"


def _answer(read: Read, success: bool, data: bytes) -> Any:
    if not success:
        raise ReadError(f"{read.describe()} reverted: is it the contract the deployments file names?")
    if not data:
        raise ReadError(f"{read.describe()} returned nothing: no contract at that address on this chain.")
    return read.view.decode(data)


class BatchReader:
    """Reads many views at one block; `requests` counts the `eth_call`s sent so far."""

    def __init__(self, web3: Any, block: int) -> None:
        self.web3 = web3
        self.block = block
        self.requests = 0

    def read(self, reads: Sequence[Read]) -> list[Any]:
        """Every read's answer, in order."""
        raise NotImplementedError

    def read_one(self, target: str, view: View, *args: Any) -> Any:
        return self.read([Read(target, view, args)])[0]

    def _eth_call(self, to: str, data: bytes) -> bytes:
        """One `eth_call` at the pinned block; a revert raises the provider's own error type."""
        self.requests += 1
        try:
            return bytes(
                self.web3.eth.call({"to": to, "data": "0x" + data.hex()}, block_identifier=self.block)
            )
        except OSError as error:  # requests' connection errors are OSErrors
            raise ReadError(
                f"the node did not answer ({type(error).__name__}: {error}); is it running?"
            ) from None


class MulticallReader(BatchReader):
    """Sub-calls packed `MAX_CALLS_PER_REQUEST` at a time into `aggregate_static`."""

    def __init__(self, web3: Any, block: int, multicall: str) -> None:
        super().__init__(web3, block)
        self.multicall = multicall

    def read(self, reads: Sequence[Read]) -> list[Any]:
        answers: list[Any] = []
        for start in range(0, len(reads), MAX_CALLS_PER_REQUEST):
            chunk = reads[start : start + MAX_CALLS_PER_REQUEST]
            batch = [(r.target, True, r.view.calldata(*r.args)) for r in chunk]
            calldata = AGGREGATE_STATIC.selector + encode([AGGREGATE_STATIC.inputs[0]], [batch])
            try:
                raw = self._eth_call(self.multicall, calldata)
                (results,) = decode([AGGREGATE_STATIC.output], raw)
            except ReadError:
                raise
            except DecodingError:
                raise ReadError(
                    f"{self.multicall} did not answer like the Multicall aggregator; {_FIX}"
                ) from None
            except Exception as error:  # noqa: BLE001 - a revert: web3 and eth-tester raise different types
                raise ReadError(
                    f"the Multicall aggregator at {self.multicall} failed ({error}); {_FIX}"
                ) from None
            if len(results) != len(chunk):
                raise ReadError(f"{self.multicall} answered {len(results)} of {len(chunk)} calls; {_FIX}")
            answers.extend(
                _answer(r, bool(success), bytes(data))
                for r, (success, data) in zip(chunk, results, strict=True)
            )
        return answers


class PlainReader(BatchReader):
    """One `eth_call` per read (no aggregator): the same answers, a request each."""

    def read(self, reads: Sequence[Read]) -> list[Any]:
        answers = []
        for r in reads:
            try:
                data = self._eth_call(r.target, r.view.calldata(*r.args))
            except ReadError:
                raise
            except Exception:  # noqa: BLE001 - a revert: web3 and eth-tester raise different types
                answers.append(_answer(r, False, b""))
                continue
            answers.append(_answer(r, True, data))
        return answers


def open_reader(provider: Any, multicall: str | None, block: int | None = None) -> BatchReader:
    """A reader of the connected chain at `block` (default: the latest), batched when `multicall` is set."""
    web3 = provider.web3
    try:
        pinned = int(web3.eth.block_number) if block is None else int(block)
    except OSError as error:  # requests' connection errors are OSErrors
        raise ReadError(
            f"the node did not answer ({type(error).__name__}: {error}); is it running?"
        ) from None
    if multicall:
        return MulticallReader(web3, pinned, multicall)
    return PlainReader(web3, pinned)
