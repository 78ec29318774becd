"""README.md's walkthrough, run exactly as written (see `harness.py`), and what each step prints.

When the walkthrough changes, edit the README's blocks and `STEPS` below: one `Step` per
command line of the marked blocks, in order, with the start of the command, patterns its
output must contain, and how many times each prompt must be answered. Every step must also
exit 0, print no traceback, no usage block, no warning, and no table cell cut to "…" (the
terminal is 80 columns wide).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import pytest

from tests.readme.harness import (
    ROOT,
    BackgroundNode,
    Result,
    Shell,
    copy_project,
    environment,
    free_port,
    installed_tools_current,
    read_blocks,
)

ADDRESS = r"0x[0-9a-fA-F]{40}"
AMOUNT = r"~?[\d,]+(\.\d+)?"


@dataclass(frozen=True)
class Step:
    """What one README command must print."""

    command: str  # the start of the README line
    expect: tuple[str, ...] = ()  # regular expressions the output must match
    prompts: dict[str, int] = field(default_factory=dict)  # prompt name -> times answered


SIGN_ONCE = {"passphrase": 1, "sign": 1}
STEPS = [
    Step("source .venv/bin/activate"),
    Step("export NET="),
    Step(
        "ape pools deploy --account TEST::0",
        (
            r"Deploying from 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 on ethereum:local \(chain id 31337\)",
            rf"factory\s+{ADDRESS}",
            r"treasury funded with 100,000 NMR",
            r"Wrote .*deployments/ethereum-local\.json",
        ),
    ),
    Step(
        "ape pools attest --model-id alpha --owner TEST::3",
        (
            (
                r"Attest as 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266: 0x90F79bf6EB2c4f870365E785982E1f101E93b906 owns "
                r"model 'alpha' \(pool name 'alpha'\), valid until .* \(7 days\)"
            ),
            r"Wrote out/attestation-alpha\.json\.",
        ),
    ),
    Step(
        "ape pools create-pool --model-id alpha",
        (
            (
                rf"Created pool (?P<pool>{ADDRESS}) for model 'alpha' \(share token npalpha\), fee 20%, owner "
                r"0x90F79bf6EB2c4f870365E785982E1f101E93b906, attested by 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266\."
            ),
        ),
    ),
    Step(
        "ape accounts generate alice",
        (rf"A new account '{ADDRESS}' with HDPath .* has been added with the id 'alice'",),
        {"entropy": 1, "show mnemonic": 1, "new passphrase": 1, "repeat passphrase": 1},
    ),
    Step("ape pools faucet --to alice", (rf"Sent 500 NMR and 1 ether to {ADDRESS}; it now holds 500 NMR\.",)),
    Step(
        "ape pools deposit --pool alpha --amount 100",
        (
            r"Deposit 100 NMR into alpha",
            r"the pool is caught up: converts at once to 100 shares",
            r"allowing the pool to take 100 NMR \(approve\)",
            r"claimable now",
        ),
        {"passphrase": 1, "sign": 2},
    ),
    Step(
        "ape pools claim --account alice",
        (rf"alpha \({ADDRESS}\): claimed 100 shares for 100 NMR deposited\.",),
        SIGN_ONCE,
    ),
    Step(
        "ape pools advance --rounds 1",
        (r"Round 2 is open \(.*\); round 1 closed\.", r"1 of 1 pool\(s\) wait on results from round 1 on"),
    ),
    Step(
        "ape pools deposit --pool alpha --amount 50",
        (r"converts after round 1 is settled \(1 round\(s\) to go\)", r"claimable once round 1 is settled"),
        {"passphrase": 1, "sign": 2},
    ),
    Step("ape pools cancel --pool alpha", (r"Cancelled deposit request 2: 50 NMR returned\.",), SIGN_ONCE),
    Step(
        "ape pools redeem --pool alpha --shares 40",
        (r"Redeem 40 shares of alpha", r"worth 40 NMR today; converts after round 1 is settled"),
        SIGN_ONCE,
    ),
    Step(
        "ape pools status --account alice",
        (
            r"round 2 open",
            r"rounds waiting\s+1",
            r"60 shares|\b60\b",
            r"redeem 40 sh \(r2\)",
            r"after round 1 \(1 to settle\)",
        ),
    ),
    Step(
        "ape pools sample-round --round 1 --models alpha",
        (r"Wrote round 1: 1,000 stocks, models alpha and 5 other\(s\), to out/rounds/1/",),
    ),
    Step("R=out/rounds/1; IN="),
    Step("ape pools score --round 1", (r"alpha\W+[+-]0\.\d{4}", r"digest (?P<digest>0x[0-9a-f]{64})")),
    Step(
        "ape pools settle --round 1 --results $R/results.json --account TEST::1 --dry-run",
        (
            r"1 pool\(s\) to settle in 1 batch\(es\)",
            r"models in the results without a pool \(skipped\): other-01",
            r"Dry run: nothing sent\.",
        ),
    ),
    Step(
        "ape pools settle --round 1 --results $R/results.json --account TEST::1 $NET",
        (r"Round 1: 1 pool\(s\) settled in 1 transaction\(s\)", rf"paid from the treasury: {AMOUNT} NMR"),
    ),
    Step(
        "ape pools verify --round 1",
        (r"Recomputed round 1: 6 model\(s\)", r"OK: 1 pool\(s\) settled round 1 with the recomputed digest"),
    ),
    Step(
        "ape pools claim --account alice",
        (rf"alpha \({ADDRESS}\): claimed {AMOUNT} NMR for 40 shares redeemed\.",),
        SIGN_ONCE,
    ),
    Step(
        "ape pools claim-fees --pool alpha",
        (rf"Claimed {AMOUNT} NMR of fees from {ADDRESS} to 0x90F79bf6EB2c4f870365E785982E1f101E93b906\.",),
    ),
    Step("ape pools set-fee --pool alpha --fee 10", (r"changed from 20% to 10%, effective now\.",)),
    Step("ape pools status $NET", (r"round 2 open", r"last settled\s+1", r"fee\s+10%", r"state\s+active")),
    Step(
        "ape pools wind-down --pool alpha",
        (
            r"round 2 \(open now\) is the last round the pool plays",
            r"Dry run: DelegationPool\(0x[0-9a-fA-F]{40}\)\.wind_down\(\) not sent\.",
        ),
    ),
]

# what no step may print: a traceback, a usage block, a third-party warning, a cell rich cut short
FORBIDDEN = (r"Traceback", r"^Usage:", r"(?i)warning", r"[\w.,]…")


def check(step: Step, result: Result, number: int) -> None:
    where = f"step {number} `{result.command}`"
    assert result.exit_code == 0, f"{where} exited {result.exit_code}:\n{result.output}"
    for pattern in FORBIDDEN:
        assert not re.search(pattern, result.output, re.MULTILINE), (
            f"{where} printed {pattern!r}:\n{result.output}"
        )
    for pattern in step.expect:
        assert re.search(pattern, result.output), f"{where} did not print {pattern!r}:\n{result.output}"
    assert result.prompts == Counter(step.prompts), (
        f"{where} asked {dict(result.prompts)}, the README expects {step.prompts}:\n{result.output}"
    )


@pytest.fixture
def walkthrough(tmp_path):
    """The project's copy with its local chain on a free port, the README's blocks and a shell."""
    blocks = read_blocks(ROOT / "README.md")
    port = free_port()
    project = copy_project(tmp_path / "project", port)
    if not installed_tools_current(project):
        pytest.fail(
            "`make env` is out of date (package.json or pyproject.toml changed): run it before this test"
        )
    env = environment(tmp_path / "home")
    (tmp_path / "home").mkdir()
    shell = Shell(project, env)
    nodes: list[BackgroundNode] = []
    try:
        yield blocks, project, env, port, shell, nodes
    finally:
        shell.close()
        for node in nodes:
            node.stop()


def test_readme_walkthrough__runs_as_written__every_step_prints_what_it_says(walkthrough, tmp_path):
    import time

    blocks, project, env, port, shell, nodes = walkthrough
    assert [block.kind for block in blocks].count("node") == 1, "the walkthrough starts one local chain"
    commands = [command for block in blocks if block.kind == "run" for command in block.commands]
    assert len(commands) == len(STEPS), (
        f"README.md has {len(commands)} walkthrough commands, STEPS expects {len(STEPS)}: "
        "add or remove a Step for each command"
    )
    for number, (command, step) in enumerate(zip(commands, STEPS, strict=True), start=1):
        assert command.startswith(step.command), (
            f"README step {number} is `{command}`, STEPS expects `{step.command}`"
        )

    started = time.monotonic()
    node_block = next(block for block in blocks if block.kind == "node")
    (command,) = node_block.commands
    node = BackgroundNode(command, project, env, tmp_path / "node.log", port)
    nodes.append(node)
    node.start()
    assert node.printed(r"Local chain at http://127\.0\.0\.1:\d+: chain id 31337"), node.output()

    timings = []
    transcript = tmp_path / "transcript.txt"  # every step's output, for reading after a failure
    runs = iter(STEPS)
    number = 0
    for block in blocks:
        if block.kind != "run":
            continue
        for command in block.commands:
            number += 1
            result = shell.run(command)
            timings.append((result.seconds, command))
            with transcript.open("a", encoding="utf-8") as log:
                log.write(
                    f"$ {command}    # {result.seconds:.1f} s, prompts {dict(result.prompts)}\n{result.output}\n"
                )
            check(next(runs), result, number)

    # the chain persists: stopped with Ctrl-C and started again, its contracts, state and event
    # logs are all there (verify reads the Settled events of round 1)
    assert node.stop() is not None
    assert node.printed(r"Stopped; the state is saved in \.chain/anvil-state\.json\."), node.output()
    assert not node.answers(), "the local chain still answers after Ctrl-C"
    node.start()
    assert node.printed(r"resumed from \.chain/anvil-state\.json"), node.output()
    after = shell.run("ape pools verify --round 1 $IN --results $R/results.json $NET")
    assert after.exit_code == 0 and "OK: 1 pool(s) settled round 1" in after.output, after.output
    elapsed = time.monotonic() - started
    slowest = ", ".join(f"{seconds:.1f} s `{command[:32]}…`" for seconds, command in sorted(timings)[-3:])
    print(
        f"walkthrough: {len(timings)} steps in {elapsed:.0f} s (slowest: {slowest}); transcript {transcript}"
    )
