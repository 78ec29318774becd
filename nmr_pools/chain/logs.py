"""A contract's events straight from `eth_getLogs`, decoded with the event's ABI.

Ape's event query (`contract.Event.query/range`) costs seconds per call on long chains; one
`eth_getLogs` over the deployment's blocks costs milliseconds. The event's layout comes from
the compiled ABI (so a field the contract adds is decoded without an edit here), and a node
that refuses a wide block range ("too many results", "range too large") is asked again in
halves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi import decode
from eth_utils import keccak

from nmr_pools.errors import NmrPoolsError

# a range this narrow that still fails is a real error, not a node's range limit
MIN_SPLIT_BLOCKS = 1


class LogsError(NmrPoolsError):
    """The node would not return the logs."""


@dataclass(frozen=True)
class EventLayout:
    """An event's signature and field layout (from the contract's ABI)."""

    name: str
    fields: tuple[tuple[str, str, bool], ...]  # (name, ABI type, indexed)

    @classmethod
    def from_abi(cls, event: Any) -> EventLayout:
        """From an ethpm-types EventABI (`pool_container(project).contract_type.events[...]`)."""
        return cls(str(event.name), tuple((str(i.name), str(i.type), bool(i.indexed)) for i in event.inputs))

    @property
    def topic(self) -> str:
        signature = f"{self.name}({','.join(kind for _, kind, _ in self.fields)})"
        return "0x" + keccak(text=signature).hex()

    def decode(self, log: Any) -> dict[str, Any]:
        """A raw log's fields by name, plus `block_number`, `transaction_hash` and `log_index`."""
        topics = [bytes(t) for t in log["topics"][1:]]
        indexed = [(name, kind) for name, kind, is_indexed in self.fields if is_indexed]
        plain = [(name, kind) for name, kind, is_indexed in self.fields if not is_indexed]
        values: dict[str, Any] = {}
        for (name, kind), topic in zip(indexed, topics, strict=True):
            (values[name],) = decode([kind], topic)
        data = bytes(log["data"])
        for (name, _), value in zip(plain, decode([kind for _, kind in plain], data), strict=True):
            values[name] = value
        values["block_number"] = int(log["blockNumber"])
        values["transaction_hash"] = "0x" + bytes(log["transactionHash"]).hex()
        values["log_index"] = int(log["logIndex"])
        return values


def get_logs(web3: Any, address: str, topics: list[Any], start: int, end: int) -> list[Any]:
    """Every log of `address` matching `topics` in blocks start..end, splitting the range on refusal."""
    try:
        return list(
            web3.eth.get_logs({"address": address, "fromBlock": start, "toBlock": end, "topics": topics})
        )
    except OSError as error:  # requests' connection errors
        raise LogsError(
            f"the node did not answer eth_getLogs ({type(error).__name__}: {error}); is it running?"
        ) from None
    except Exception as error:  # noqa: BLE001 - nodes word range limits differently; narrow and retry
        if end - start < MIN_SPLIT_BLOCKS:
            raise LogsError(f"the node refused eth_getLogs for block {start}: {error}") from None
        middle = (start + end) // 2
        return get_logs(web3, address, topics, start, middle) + get_logs(
            web3, address, topics, middle + 1, end
        )


def read_events(
    web3: Any, address: str, layout: EventLayout, start: int, end: int | None = None
) -> list[dict[str, Any]]:
    """Every `layout` event of `address` from block `start` to `end` (default: latest), oldest first."""
    last = int(web3.eth.block_number) if end is None else int(end)
    if last < start:
        return []
    logs = get_logs(web3, address, [layout.topic], int(start), last)
    events = [layout.decode(log) for log in logs]
    events.sort(key=lambda event: (event["block_number"], event["log_index"]))
    return events
