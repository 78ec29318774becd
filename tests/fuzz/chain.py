"""The titanoboa chain the fuzzing suite runs on.

- `BoaBackend` deploys the project's contracts through `nmr_pools.deployment.deploy_with`, the
  same sequence Ape runs for the CLI, so the fuzzed system is the deployed system.
- `send` makes one call and reports a revert as `Reverted(reason)` instead of raising, reading
  the revert data of the outermost call (what a wallet shows) without titanoboa's slow stack
  trace analysis.
- `contracts_dir()` is `contracts/`, or the folder named by `NMR_POOLS_CONTRACTS` (the mutation
  check points it at a patched copy, never at `contracts/` itself).
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import boa
from eth_abi import decode

from tests.fuzz.fast_evm import run_without_gas_metering, share_jumpdest_analysis

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONTRACTS_ENV = "NMR_POOLS_CONTRACTS"
# Error(string) selector: how Vyper's `assert x, "reason"` encodes its revert data
ERROR_SELECTOR = bytes.fromhex("08c379a0")


share_jumpdest_analysis()
run_without_gas_metering()


def contracts_dir() -> Path:
    """`contracts/`, or the folder `NMR_POOLS_CONTRACTS` names (mutants)."""
    override = os.environ.get(CONTRACTS_ENV)
    return Path(override) if override else PROJECT_ROOT / "contracts"


@cache
def load_partial(path: str) -> Any:
    """A compiled contract ready to deploy or attach (compiled once per process and path)."""
    return boa.load_partial(path)


def attach(deployer: Any, address: str) -> Any:
    """`deployer.at(address)` without titanoboa's warning about minimal-proxy bytecode."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return deployer.at(address)


@dataclass(frozen=True)
class Reverted:
    """A call that reverted; `reason` is its revert string ("" when it gave none)."""

    reason: str


def revert_reason(output: bytes) -> str:
    """The reason string of revert data (empty when it is not an `Error(string)`)."""
    if output[:4] != ERROR_SELECTOR:
        return ""
    (reason,) = decode(["string"], output[4:])
    return str(reason)


@dataclass
class _Last:
    """The computation of the last call `send` made (its events are read from it), and how many
    transactions `send` has made in this process."""

    computation: Any = None
    sent: int = 0


LAST = _Last()


def send(contract: Any, method: str, *args: Any, sender: str) -> Any:
    """Call `contract.method(*args)` from `sender`; its return value, or `Reverted`."""
    function = getattr(contract, method)
    computation = boa.env.execute_code(
        to_address=contract.address,
        sender=sender,
        data=function.prepare_calldata(*args),
        is_modifying=True,
        contract=contract,
    )
    LAST.computation = computation
    LAST.sent += 1
    if computation.is_error:
        return Reverted(revert_reason(bytes(computation.output)))
    return function.contract.marshal_to_python(computation, function.func_t.return_type)


def last_events(contract: Any, name: str) -> list[Any]:
    """The events called `name` that the last `send` emitted (from any contract it reached)."""
    logs = contract.get_logs(computation=LAST.computation, strict=False)
    return [log for log in logs if type(log).__name__ == name]


class PoolHandle:
    """A pool as one object: its core (`DelegationPool.vy`) and its extension (`PoolExtension.vy`,
    reached through the core's fallback) at the same address. Attributes come from the core,
    else from the extension; storage layout and events are the core's (both share them)."""

    def __init__(self, core: Any, extension: Any) -> None:
        self._core = core
        self._extension = extension
        self._last_computation: Any = None  # of the last call made through this handle

    def __getattr__(self, name: str) -> Any:
        half = self._core if hasattr(self._core, name) else self._extension
        attribute = getattr(half, name)
        if hasattr(attribute, "prepare_calldata"):  # a contract function: remember its call
            return _RecordedFunction(self, attribute)
        return attribute

    @property
    def core(self) -> Any:
        return self._core

    def record(self, computation: Any) -> None:
        """Make `computation` the one `get_logs()` reads (a call that reached the pool by another
        contract, the factory's `settle` say)."""
        self._last_computation = computation

    def get_logs(self, computation: Any = None, strict: bool = True) -> list[Any]:
        """Logs of a computation (default: the last call made through this handle); the pool's
        own are decoded with whichever half declares them (titanoboa decodes a log with the one
        contract it last registered at that address)."""
        computation = computation or self._last_computation
        decoded = []
        for log in self._core.get_logs(computation=computation, strict=False):
            if type(log).__name__ == "RawLogEntry" and _same_address(log.address, self._core.address):
                log = self._decode_own(log, strict)
            decoded.append(log)
        return decoded

    def _decode_own(self, log: Any, strict: bool) -> Any:
        for half in (self._core, self._extension):
            try:
                return half.decode_log(log)
            except Exception:  # not this half's event
                continue
        if strict:
            raise ValueError(f"the pool emitted a log neither half declares: {log}")
        return log


class _RecordedFunction:
    """A function of one half of the pool that, once called, leaves its computation with the
    handle (so `get_logs()` reads the last call whichever half it went to)."""

    def __init__(self, handle: PoolHandle, function: Any) -> None:
        self._handle = handle
        self._function = function

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return self._function(*args, **kwargs)
        finally:
            self._handle.record(self._function.contract._computation)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._function, name)


def _same_address(raw: bytes | str, address: str) -> bool:
    raw_hex = raw.hex() if isinstance(raw, bytes) else str(raw).lower().removeprefix("0x")
    return raw_hex == str(address).lower().removeprefix("0x")


def attach_pool(core_deployer: Any, extension_deployer: Any, address: str) -> PoolHandle:
    """The pool at `address`, with both halves' functions."""
    return PoolHandle(attach(core_deployer, address), attach(extension_deployer, address))


def calldata(contract: Any, method: str, *args: Any) -> bytes:
    """The calldata of `contract.method(*args)` (for calls forwarded by a contract wallet)."""
    return bytes(getattr(contract, method).prepare_calldata(*args))


def decode_return(contract: Any, method: str, output: bytes) -> Any:
    """Decode what `contract.method` returned when called through a contract wallet."""
    from boa.contracts.vyper.vyper_contract import vyper_object
    from boa.util.abi import abi_decode
    from vyper.codegen.core import calculate_type_for_external_return
    from vyper.semantics.types import TupleT

    typ = getattr(contract, method).func_t.return_type
    if typ is None:
        return None
    return_type = calculate_type_for_external_return(typ)
    value = abi_decode(return_type.abi_type.selector_name(), output)
    if not isinstance(typ, TupleT):
        (value,) = value
    return vyper_object(value, typ)


@dataclass
class BoaBackend:
    """`nmr_pools.deployment.ChainBackend` on titanoboa: deploys from `deployer`."""

    deployer: str
    folder: Path = field(default_factory=contracts_dir)

    def partial(self, contract_name: str) -> Any:
        return load_partial(str(self.folder / f"{contract_name}.vy"))

    def deploy(self, contract_name: str, *args: Any) -> Any:
        with boa.env.prank(self.deployer):
            return self.partial(contract_name).deploy(*args)

    def declare(self, contract_name: str) -> str:
        with boa.env.prank(self.deployer):
            return str(self.partial(contract_name).deploy_as_blueprint().address)

    def at(self, contract_name: str, address: str) -> Any:
        return attach(self.partial(contract_name), address)

    def send(self, contract: Any, method: str, *args: Any) -> Any:
        result = send(contract, method, *args, sender=self.deployer)
        if isinstance(result, Reverted):
            raise AssertionError(f"{method} reverted during deployment: {result.reason!r}")
        return result
