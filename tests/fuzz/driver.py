"""Drive the chain and the reference model in lockstep, one call at a time.

`Driver.act(model_call, actor, contract, method, *args)` calls the model first, then the
contract as `actor` (an EOA, or the contract wallet, whose signer forwards the call):
- the model reverts  -> the contract must revert with the same reason, verbatim;
- the model succeeds -> the contract must succeed and (unless `returns=False`) return the
  same value.
Each assertion says which function and which side disagreed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boa

from nmr_pools.model import Clock, ModelRevert
from tests.fuzz.chain import Reverted, calldata, decode_return, send

# what `act` returns for a call that reverted on both sides
REVERTED = Reverted("<reverted on both sides>")


@dataclass
class Driver:
    """Calls contracts as named actors and keeps the model's clock on the chain's."""

    addr: dict[str, str]
    clock: Clock
    wallets: dict[str, Any]  # contract-wallet actor -> its contract (its signer is `<name>-signer`)
    last_revert: str = ""  # the reason of the last call `act` saw revert on both sides

    def call(self, actor: str, contract: Any, method: str, *args: Any) -> Any:
        """`contract.method(*args)` as `actor`; the return value or `Reverted`."""
        wallet = self.wallets.get(actor)
        if wallet is None:
            return send(contract, method, *args, sender=self.addr[actor])
        data = calldata(contract, method, *args)
        output = send(wallet, "forward", contract.address, data, sender=self.addr[f"{actor}-signer"])
        if isinstance(output, Reverted):
            return output
        return decode_return(contract, method, output)

    def act(
        self,
        model_call: Callable[[], Any],
        actor: str,
        contract: Any,
        method: str,
        *args: Any,
        returns: bool = True,
    ) -> Any:
        """The model's result (or `REVERTED`), after checking the chain did the same."""
        self.clock.timestamp = boa.env.timestamp
        try:
            expected = model_call()
        except ModelRevert as err:
            got = self.call(actor, contract, method, *args)
            assert isinstance(got, Reverted), (
                f"{method} by {actor}: the model reverted ({err.message!r}), the contract succeeded"
            )
            assert got.reason == err.message, (
                f"{method} by {actor}: the contract reverted with {got.reason!r}, the model with {err.message!r}"
            )
            self.last_revert = err.message
            return REVERTED
        got = self.call(actor, contract, method, *args)
        assert not isinstance(got, Reverted), (
            f"{method} by {actor}: the contract reverted ({got.reason!r}), the model succeeded"
        )
        if returns:
            assert got == expected, (
                f"{method} by {actor}: the contract returned {got!r}, the model {expected!r}"
            )
        return expected

    def setup(self, model_call: Callable[[], Any], actor: str, contract: Any, method: str, *args: Any) -> Any:
        """`act` for set-up steps, which must succeed on both sides."""
        result = self.act(model_call, actor, contract, method, *args, returns=False)
        assert result is not REVERTED, f"set-up step {method} by {actor} reverted"
        return result

    def expect_revert(self, reason: str, actor: str, contract: Any, method: str, *args: Any) -> None:
        """The contract must refuse this call with `reason` (for calls the model has no method for)."""
        self.clock.timestamp = boa.env.timestamp
        got = self.call(actor, contract, method, *args)
        assert isinstance(got, Reverted), f"{method} by {actor}: expected a revert ({reason!r}), it succeeded"
        assert got.reason == reason, f"{method} by {actor}: reverted with {got.reason!r}, expected {reason!r}"
