"""Speed for the fuzzer's titanoboa chain: work py-evm and CPython do that the fuzzer never reads.

None of these changes what a contract computes, only how long the interpreter takes to compute
it. The fuzzer checks results (storage, return values, reverts, events), never gas (`make
bench` measures gas on anvil) and never titanoboa's source-level stack traces (`send` reads the
revert data itself). Each patch says what it skips and why that is safe.

- `share_jumpdest_analysis`, `run_without_gas_metering`: applied wherever the suite deploys on
  titanoboa (`tests.fuzz.chain` imports this module and applies them).
- `skip_fuzzer_unread_bookkeeping`: applied by the differential machine only, since it also
  drops the per-opcode trace titanoboa's stack traces read (other tests may want those).
- `run_on_roomy_stack`: runs a call with room on CPython's frame stack (see its docstring).
"""

from __future__ import annotations

import inspect
from collections import namedtuple
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any, TypeVar

import boa

T = TypeVar("T")


def share_jumpdest_analysis() -> None:
    """Let every call into the same bytecode share py-evm's JUMPDEST analysis.

    py-evm works out lazily, per call, which code positions are valid jump targets, so every
    call into a 20 kB contract repeats the same analysis; the answer depends only on the
    bytecode, so calls can share it. Measured here: 40% off a view-heavy call, 30-40% off a
    transaction.
    """
    from boa.vm import py_evm

    stream = py_evm.TracingCodeStream
    if getattr(stream, "_shares_jumpdests", False):
        return
    original = stream.__init__
    analyses: dict[bytes, tuple[set[int], set[int]]] = {}

    def init(self: Any, code_bytes: bytes, **kwargs: Any) -> None:
        original(self, code_bytes, **kwargs)
        known = analyses.get(code_bytes)
        if known is None:
            known = analyses[code_bytes] = (set(), set())
        self.invalid_positions, self.valid_positions = known

    stream.__init__ = init
    stream._shares_jumpdests = True


def run_without_gas_metering() -> None:
    """Skip py-evm's gas accounting: the fuzzer checks what the contracts compute, never what
    they cost. Calls still see a gas budget (`gas_remaining` stays at the call's start gas), so
    forwarding works."""
    from boa.vm.gas_meters import NoGasMeter

    class Unmetered(NoGasMeter):  # type: ignore[misc]
        def __init__(self, start_gas: int, *args: Any, **kwargs: Any) -> None:
            self.start_gas = start_gas
            self.gas_remaining = start_gas
            self.gas_refunded = 0

    boa.env.set_gas_meter_class(Unmetered)


def titanoboa_opcodes() -> dict[int, Any]:
    """The opcode table of titanoboa's computations, made a table of their own first (py-evm's
    is a class attribute shared with every other chain in the process, Ape's included): what
    the fuzzer puts in it reaches titanoboa alone."""
    computation_class = boa.env.evm.vm.state.computation_class
    if "opcodes" not in computation_class.__dict__:
        computation_class.opcodes = dict(computation_class.opcodes)
    return computation_class.opcodes


def skip_fuzzer_unread_bookkeeping() -> None:
    """Three things py-evm and titanoboa do on every opcode that an unmetered fuzzer never reads:

    - a fixed-cost opcode first charges its gas (`computation.consume_gas`, two Python calls
      into a meter that ignores them): the opcode table gets the opcode's logic itself;
    - a memory expansion works out its gas before it grows the memory: it only grows it;
    - titanoboa appends every executed program counter to a list (for source-level stack
      traces); the fuzzer reads revert data instead, so the list is no longer kept.
    """
    from boa.vm import py_evm
    from eth.vm.opcode import _FastOpcode

    computation_class = boa.env.evm.vm.state.computation_class
    if getattr(computation_class, "_skips_unread_bookkeeping", False):
        return
    opcodes = titanoboa_opcodes()
    for value, opcode in opcodes.items():
        if type(opcode) is _FastOpcode and "computation" in inspect.signature(opcode.logic_fn).parameters:
            opcodes[value] = opcode.logic_fn

    def extend_memory(self: Any, start_position: int, size: int) -> None:
        if size:
            self._memory.extend(start_position, size)

    computation_class.extend_memory = extend_memory

    def untraced_iter(self: Any) -> Iterator[int]:
        code, length = self._raw_code_bytes, self._length_cache
        while self.program_counter < length:
            opcode = code[self.program_counter]
            self.program_counter += 1
            yield opcode
            # an opcode (a jump, a push) may move the program counter during the yield
        yield 0x00  # STOP

    py_evm.TracingCodeStream.__iter__ = untraced_iter
    computation_class._skips_unread_bookkeeping = True


def reuse_event_tuple_types() -> None:
    """titanoboa builds a new namedtuple class for every log it decodes (~0.1 ms each, and the
    machine decodes the events of every transaction); one class per event shape is enough."""
    from boa.contracts import event_decoder

    if getattr(event_decoder, "_reuses_tuple_types", False):
        return

    @cache
    def tuple_type(name: str, fields: tuple[str, ...]) -> type:
        return namedtuple(name, fields, rename=True)  # type: ignore[misc]

    def cached_namedtuple(name: str, fields: list[str], rename: bool = False) -> type:
        assert rename, "titanoboa's event decoder always renames"
        return tuple_type(name, tuple(fields))

    event_decoder.namedtuple = cached_namedtuple
    event_decoder._reuses_tuple_types = True


# A frame this large opens a 2 MiB chunk of CPython's frame stack with ~1 MiB left over.
_ROOMY_FRAME_SLOTS = 2**17


def run_on_roomy_stack(call: Callable[[], T]) -> T:
    """`call()`, run above a frame that reserves room on CPython's frame stack.

    CPython 3.11 keeps Python frames in 16 KiB chunks, mapped with mmap when a call crosses the
    end of a chunk and unmapped as soon as that call returns. py-evm's deep call chains cross a
    chunk boundary back and forth on almost every opcode, and the map/unmap pairs took a third
    of the fuzzer's time as system time. A frame with a huge value stack makes CPython open one
    2 MiB chunk for it; every frame called above it fits in the rest of that chunk.
    """

    def runner(inner: Callable[[], T]) -> T:
        return inner()

    code = runner.__code__
    runner.__code__ = code.replace(co_stacksize=code.co_stacksize + _ROOMY_FRAME_SLOTS)
    return runner(call)
