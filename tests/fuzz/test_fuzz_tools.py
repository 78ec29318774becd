"""The fuzzer's own tools: the storage reader's cache of decoded slots and the roomy frame stack."""

from __future__ import annotations

import boa
import pytest

from tests.fuzz.chain import BoaBackend, send
from tests.fuzz.fast_evm import run_on_roomy_stack
from tests.fuzz.storage import StorageReader, differences

DEPLOYER = "0x" + "d0" * 20
ALICE = "0x" + "a1" * 20
BOB = "0x" + "b0" * 20


@pytest.fixture(scope="module")
def nmr() -> object:
    with boa.env.anchor():
        yield BoaBackend(DEPLOYER).deploy("NMR")


def _issue(nmr: object, to: str, amount: int) -> None:
    assert send(nmr, "transfer", to, amount, sender=DEPLOYER) is True  # the deployer holds the supply


def test_reader__writes_between_reads__each_read_equals_a_read_of_every_slot(nmr: object) -> None:
    with boa.env.anchor():
        reader = StorageReader(nmr)
        before = reader.read()
        _issue(nmr, ALICE, 5)
        after = reader.read()
        assert after != before
        assert not differences(after, reader.read_afresh())
        assert send(nmr, "transfer", BOB, 2, sender=ALICE) is True
        balances = reader.read()["balanceOf"]
        held = {str(k).lower(): v for k, v in balances.items()}
        assert (held[ALICE], held[BOB]) == (3, 2)
        assert not differences(reader.read(), reader.read_afresh())


def test_reader__chain_rolled_back__stale_until_forgotten(nmr: object) -> None:
    reader = StorageReader(nmr)
    start = reader.read()
    with boa.env.anchor():
        _issue(nmr, ALICE, 7)
        assert reader.read() != start
    # the anchor restored the slots without an SSTORE: the cache cannot know
    assert differences(reader.read(), reader.read_afresh())
    reader.forget()
    assert not differences(reader.read(), start)


def test_roomy_stack__returns_the_calls_value_and_raises_its_errors() -> None:
    assert run_on_roomy_stack(lambda: sum(range(10))) == 45

    def fails() -> None:
        raise ValueError("inside")

    with pytest.raises(ValueError, match="inside"):
        run_on_roomy_stack(fails)


def test_roomy_stack__deep_recursion_above_it_still_works() -> None:
    def depth(n: int) -> int:
        return 0 if n == 0 else 1 + depth(n - 1)

    assert run_on_roomy_stack(lambda: depth(500)) == 500
