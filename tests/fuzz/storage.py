"""Every storage variable of a contract on titanoboa, by name: no slot arithmetic.

`StorageReader(contract).read()` returns `{name: value}` for every variable the compiler laid
out, those of the modules it initializes included (`"erc20.balanceOf"`, `"ownable.owner"`).
A HashMap becomes a (nested) dict of its non-zero entries: titanoboa records every slot a
contract writes and every 64-byte keccak preimage, so each written slot is traced back to the
variable and keys it belongs to. Addresses are checksummed strings, bytes32 are bytes,
integers are ints, structs are dicts. A storage layout change needs no change here.

Reading every slot after every step cost more than the step itself once queues grew, so a
reader keeps what it decoded and re-decodes only the slots an SSTORE touched since its last
read (`WRITTEN`, filled by a wrapper around titanoboa's SSTORE). `forget()` starts over (a
chain rolled back to an anchor changes slots without an SSTORE); `read_afresh()` decodes
everything, and the machine checks the two agree whenever it compares the views.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import boa
from boa.contracts.vyper.decoder_utils import ByteAddressableStorage, decode_vyper_object
from boa.vm.utils import to_bytes, to_int
from eth_utils import to_canonical_address, to_checksum_address
from vyper.semantics.types import AddressT, BoolT, BytesM_T, FlagT, HashMapT, IntegerT, InterfaceT

from tests.fuzz.fast_evm import titanoboa_opcodes

_SLOT = 32


@dataclass(frozen=True)
class _Variable:
    name: str
    typ: Any

    @property
    def is_map(self) -> bool:
        return isinstance(self.typ, HashMapT)


def _variables(module_t: Any, layout: dict[str, Any], prefix: str, out: dict[int, _Variable]) -> None:
    """Walk the compiler's storage layout: `{slot: variable}` for a module and the modules it holds."""
    for name, entry in layout.items():
        if "slot" in entry and "type" in entry:
            out[entry["slot"]] = _Variable(prefix + name, module_t.variables[name].typ)
        else:
            _variables(module_t.imported_modules[name].module_t, entry, f"{prefix}{name}.", out)


def is_zero(value: Any) -> bool:
    """The value an untouched slot decodes to (0, False, empty, the zero address, all-zero struct)."""
    if isinstance(value, dict):
        return all(is_zero(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(is_zero(v) for v in value)
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return int(value, 16) == 0
    if isinstance(value, (bytes, bytearray)):
        return not any(value)
    return not value


class _SstoreRecorder:
    """Wraps the SSTORE opcode: records, per contract, the slots written since a reader last
    looked (a reverted write is recorded too: the reader re-decodes a slot that did not change)."""

    mnemonic = "SSTORE"

    def __init__(self, sstore: Any) -> None:
        self.sstore = sstore

    def __call__(self, computation: Any) -> None:
        slot = to_int(computation._stack.values[-1])
        WRITTEN.setdefault(bytes(computation.msg.storage_address), set()).add(slot)
        self.sstore(computation)


# canonical address -> slots an SSTORE touched since that contract's reader last read
WRITTEN: dict[bytes, set[int]] = {}


def record_written_slots() -> None:
    """Put `_SstoreRecorder` in titanoboa's opcode table (once)."""
    opcodes = titanoboa_opcodes()
    if not isinstance(opcodes[0x55], _SstoreRecorder):
        opcodes[0x55] = _SstoreRecorder(opcodes[0x55])


class StorageReader:
    """Reads one contract's whole storage by variable name."""

    def __init__(self, contract: Any) -> None:
        self.contract = contract
        self.address = contract.address
        self._canonical = to_canonical_address(str(contract.address))
        self.variables: dict[int, _Variable] = {}
        layout = contract.compiler_data.storage_layout["storage_layout"]
        _variables(contract.module_t, layout, "", self.variables)
        # written slot -> (variable, keys, value type), or None: a slot's place never changes
        self._places: dict[int, tuple[_Variable, tuple[Any, ...], Any] | None] = {}
        # slot -> decoded value, for every slot read so far (None: start over)
        self._values: dict[int, Any] | None = None
        self._wide: set[int] = set()  # placed slots whose value spans more than one slot
        record_written_slots()

    def names(self) -> list[str]:
        return sorted(v.name for v in self.variables.values())

    def _decode(self, slot: int, typ: Any) -> Any:
        if isinstance(typ, _WORD_TYPES):
            return _decode_word(boa.env.evm.vm.state.get_storage(self._canonical, slot), typ)
        memory = ByteAddressableStorage(boa.env.evm, self.address, slot)
        return _plain(_decode_object(memory[0 : typ.memory_bytes_required], typ))

    def forget(self) -> None:
        """Decode every slot at the next read (the chain may have changed without an SSTORE)."""
        self._values = None

    def read(self) -> dict[str, Any]:
        """Every variable by name; slots not written since the last read are not decoded again."""
        written = WRITTEN.pop(self._canonical, set())
        if self._values is None:
            self._values = {}
            written = self._every_slot()
        # a value wider than a word also spans the slots after its own: decoded at every read
        self._decode_into(self._values, written | self._wide)
        return self._assemble(self._values)

    def read_afresh(self) -> dict[str, Any]:
        """Every variable by name, every slot decoded now (what `read` must agree with)."""
        values: dict[int, Any] = {}
        self._decode_into(values, self._every_slot())
        return self._assemble(values)

    def _every_slot(self) -> set[int]:
        """The variables' own slots and every slot written so far (map entries among them)."""
        return set(self.variables) | set(boa.env.sstore_trace.get(self.address, ()))

    def _decode_into(self, values: dict[int, Any], slots: set[int]) -> None:
        for slot in slots:
            place = self._place(slot)
            if place is not None:
                values[slot] = self._decode(slot, place[2])

    def _place(self, slot: int) -> tuple[_Variable, tuple[Any, ...], Any] | None:
        """(variable, keys, value type) of a slot: a variable's own slot or a map entry's."""
        if slot not in self._places:
            variable = self.variables.get(slot)
            if variable is not None and not variable.is_map:
                self._places[slot] = (variable, (), variable.typ)
            else:
                self._places[slot] = self._locate(slot, boa.env.sha3_trace)
            place = self._places[slot]
            if place is not None and not isinstance(place[2], _WORD_TYPES):
                self._wide.add(slot)
        return self._places[slot]

    def _assemble(self, values: dict[int, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {v.name: {} for v in self.variables.values() if v.is_map}
        for slot, value in values.items():
            variable, keys, _ = self._places[slot]  # type: ignore[misc]
            if not keys:
                out[variable.name] = value
                continue
            if is_zero(value):
                continue
            target = out[variable.name]
            for key in keys[:-1]:
                target = target.setdefault(key, {})
            target[keys[-1]] = value
        return out

    def _locate(
        self, slot: int, preimages: dict[bytes, bytes]
    ) -> tuple[_Variable, tuple[Any, ...], Any] | None:
        """The map variable and keys whose value is at `slot`, if `slot` is one."""
        path: list[bytes] = []
        image = to_bytes(slot)
        while image in preimages:
            preimage = preimages[image]
            path.append(preimage[_SLOT:])
            image = preimage[:_SLOT]
        if not path:
            return None
        variable = self.variables.get(to_int(image))
        if variable is None or not variable.is_map:
            return None
        keys: list[Any] = []
        typ = variable.typ
        for raw in reversed(path):
            if not isinstance(typ, HashMapT):
                return None
            keys.append(_plain(_decode_object(memoryview(raw), typ.key_type)))
            typ = typ.value_type
        if isinstance(typ, HashMapT):
            return None  # an intermediate hash, not a value slot
        return variable, tuple(keys), typ


# types that fit one storage word, decoded straight from the slot's integer
_WORD_TYPES = (IntegerT, BoolT, AddressT, InterfaceT, BytesM_T, FlagT)


@lru_cache(maxsize=4096)
def _checksummed(value: int) -> str:
    return to_checksum_address(value.to_bytes(20, "big"))


def _decode_word(word: int, typ: Any) -> Any:
    if isinstance(typ, IntegerT):
        return word - 2**256 if typ.is_signed and word >= 2**255 else word
    if isinstance(typ, BoolT):
        return bool(word)
    if isinstance(typ, (AddressT, InterfaceT)):
        return _checksummed(word % 2**160)
    if isinstance(typ, BytesM_T):
        return word.to_bytes(32, "big")[: typ.m]
    return word  # a flag: its integer value


def _decode_object(memory: Any, typ: Any) -> Any:
    """titanoboa's decoder, plus flags (as their integer value), which it does not decode."""
    if isinstance(typ, FlagT):
        return int.from_bytes(bytes(memory[:32]), "big")
    return decode_vyper_object(memory, typ)


def _plain(value: Any) -> Any:
    """Plain Python values: titanoboa's struct dicts become dicts, its Address a str."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def differences(chain: Any, model: Any, path: str = "") -> list[str]:
    """`path: chain=… model=…` for every leaf where two storage dumps differ (keys of both)."""
    if isinstance(chain, dict) and isinstance(model, dict):
        found: list[str] = []
        for key in sorted(set(chain) | set(model), key=repr):
            found += differences(
                chain.get(key, 0), model.get(key, 0), f"{path}[{key!r}]" if path else str(key)
            )
        return found
    if isinstance(chain, dict) and is_zero(model):
        return differences(chain, {}, path)
    if isinstance(model, dict) and is_zero(chain):
        return differences({}, model, path)
    return [] if chain == model else [f"{path}: chain={chain!r} model={model!r}"]
