"""Run README.md's walkthrough the way a person would: in a shell, in order, answering prompts.

The README marks the shell blocks it runs with an HTML comment on the line before them
(invisible on GitHub):

    <!-- walkthrough -->         every line runs, in order, in one bash session (terminal 1)
    <!-- walkthrough: node -->   the block starts the local chain in the background (terminal 2)

Lines starting with `#` and blank lines are skipped; everything else runs exactly as written
(a trailing `# comment` is bash's business). The session runs in a copy of the project
(sources copied, `.venv` and `node_modules` linked) whose ape-config.yaml points the local
chain at a free port, with its own Ape data folder (keyfile accounts) and HOME, and with a
PATH that lacks the project's `.venv/bin` and `node_modules/.bin`: the README must set up
what it needs. The terminal is a pty 80 columns wide, so `ape` prompts as it would for a
person and rich draws tables at 80 columns.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"<!--\s*walkthrough(?::\s*(?P<kind>[\w-]+))?\s*-->")
KINDS = ("run", "node")
# sources the walkthrough needs in its copy of the project
COPIED = ("README.md", "Makefile", "ape-config.yaml", "pyproject.toml", "package.json", "package-lock.json")
LINKED = (".venv", "node_modules")
LOCAL_HOST = re.compile(r"(?m)^(?P<indent>\s+host:\s*)http://127\.0\.0\.1:\d+\s*$")
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\r")
PROMPT = "__walkthrough_ready__> "
EXIT = re.compile(r"__walkthrough_exit__(\d+)")
PASSPHRASE = "walkthrough-passphrase-7f3a"
# seconds: one command, the node coming up, the node saving its state
STEP_TIMEOUT = 120
NODE_TIMEOUT = 90
STOP_TIMEOUT = 30


@dataclass(frozen=True)
class Prompt:
    """A question a command asks, and the answer a person following the README gives."""

    name: str
    pattern: str
    answer: str


# every prompt the walkthrough may meet (Ape's keyfile accounts and this plugin's)
PROMPTS = (
    Prompt(
        "entropy",
        r"Enhance the security of your account by adding additional random input:\s*$",
        "some keys mashed at random",
    ),
    Prompt("show mnemonic", r"Show mnemonic\? \[Y/n\]:\s*$", "n"),
    Prompt("new passphrase", r"Create Passphrase to encrypt account:\s*$", PASSPHRASE),
    Prompt("repeat passphrase", r"Repeat for confirmation:\s*$", PASSPHRASE),
    Prompt(
        "passphrase", r"(Passphrase of '[^']+'[^:\n]*|Enter passphrase to unlock '[^']+'):\s*$", PASSPHRASE
    ),
    Prompt("leave unlocked", r"Leave '[^']+' unlocked\? \[y/N\]:\s*$", "y"),
    Prompt("sign", r"Sign:\s+\[y/N\]:\s*$", "y"),
)


@dataclass(frozen=True)
class Block:
    kind: str
    line: int  # README line of the opening fence
    commands: tuple[str, ...]


def read_blocks(readme: Path) -> list[Block]:
    """The marked shell blocks of the README, in order; ValueError for a marker without a block."""
    lines = readme.read_text(encoding="utf-8").splitlines()
    blocks = []
    for number, text in enumerate(lines):
        match = MARKER.fullmatch(text.strip())
        if not match:
            continue
        kind = match.group("kind") or "run"
        if kind not in KINDS:
            raise ValueError(f"README.md:{number + 1}: unknown walkthrough block kind {kind!r} (use {KINDS})")
        start = number + 1
        while start < len(lines) and not lines[start].strip():
            start += 1
        if start >= len(lines) or not re.fullmatch(r"```(sh|bash|shell)", lines[start].strip()):
            raise ValueError(
                f"README.md:{number + 1}: a walkthrough marker must be followed by a ```sh block"
            )
        end = start + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        body = [line.strip() for line in lines[start + 1 : end]]
        commands = tuple(line for line in body if line and not line.startswith("#"))
        blocks.append(Block(kind=kind, line=start + 1, commands=commands))
    return blocks


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def copy_project(destination: Path, port: int) -> Path:
    """A copy of the project to run the walkthrough in, its local chain moved to `port`."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        shutil.copy2(ROOT / name, destination / name)
    shutil.copytree(ROOT / "contracts", destination / "contracts")
    if (ROOT / ".build").is_dir():  # compiled contracts: saves compiling them again
        shutil.copytree(ROOT / ".build", destination / ".build")
    for name in LINKED:
        (destination / name).symlink_to(ROOT / name, target_is_directory=True)
    config = destination / "ape-config.yaml"
    text, count = LOCAL_HOST.subn(rf"\g<indent>http://127.0.0.1:{port}", config.read_text())
    if count != 1:
        raise ValueError("ape-config.yaml must give the local chain one `host: http://127.0.0.1:PORT` line")
    config.write_text(text)
    return destination


def installed_tools_current(project: Path) -> bool:
    """Whether make considers `.venv` and `node_modules` up to date in `project`. The copy links
    them to the real ones, so a `make` that rebuilt them there would rebuild the real ones (npm
    ci empties node_modules through the link): the walkthrough must not run unless they are."""
    targets = [".venv/.installed", "node_modules/.bin/anvil"]
    return (
        subprocess.run(["make", "-q", *targets], cwd=project, capture_output=True, check=False).returncode
        == 0
    )


def environment(home: Path) -> dict[str, str]:
    """A person's shell: no activated venv, no project tools on PATH, their own Ape folder."""
    hidden = {os.path.realpath(ROOT / ".venv" / "bin"), os.path.realpath(ROOT / "node_modules" / ".bin")}
    path = [
        p for p in os.environ.get("PATH", "").split(os.pathsep) if p and os.path.realpath(p) not in hidden
    ]
    # keep the test run's tag (NMR_POOLS_TEST_RUN: `make test` then finds any process left alive)
    env = {
        key: value
        for key, value in os.environ.items()
        if key == "NMR_POOLS_TEST_RUN"
        or not key.startswith(("APE_", "VIRTUAL_ENV", "PYTEST", "NMR_POOLS_", "MAKE", "MFLAGS"))
    }
    env.update(
        PATH=os.pathsep.join(path),
        HOME=str(home),
        APE_DATA_FOLDER=str(home / ".ape"),
        TERM="dumb",
        NO_COLOR="1",
        COLUMNS="80",
        LINES="40",
        PYTHONDONTWRITEBYTECODE="1",
        VIRTUAL_ENV_DISABLE_PROMPT="1",
    )
    return env


def clean(text: str) -> str:
    return ANSI.sub("", text)


@dataclass
class Result:
    command: str
    exit_code: int
    output: str
    prompts: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


class Shell:
    """One bash session on an 80-column pty; `run` answers each prompt like a person would."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.child = pexpect.spawn(
            "bash",
            ["--noprofile", "--norc"],
            cwd=str(cwd),
            env=env,
            encoding="utf-8",
            dimensions=(40, 80),
            timeout=STEP_TIMEOUT,
            codec_errors="replace",
        )
        # no echo of what is typed, a prompt to wait for; then sync on output nothing else prints
        self.child.sendline(f"stty -echo; PS1='{PROMPT}'; PS2=''; unset PROMPT_COMMAND")
        self.child.sendline("echo __walkthrough_sync__")
        self.child.expect(r"__walkthrough_sync__\r?\n" + re.escape(PROMPT))

    def run(self, command: str) -> Result:
        started = time.monotonic()
        self.child.sendline(command)
        patterns = [re.escape(PROMPT), *(prompt.pattern for prompt in PROMPTS)]
        compiled = [re.compile(p, re.MULTILINE) for p in patterns]
        output, asked = [], Counter()
        while True:
            index = self.child.expect_list(compiled)
            output.append(self.child.before + (self.child.after if index else ""))
            if index == 0:
                break
            prompt = PROMPTS[index - 1]
            asked[prompt.name] += 1
            self.child.sendline(prompt.answer)
        self.child.sendline("echo __walkthrough_exit__$?")
        self.child.expect(EXIT)
        code = int(self.child.match.group(1))
        self.child.expect_exact(PROMPT)
        return Result(command, code, clean("".join(output)), asked, time.monotonic() - started)

    def close(self) -> None:
        if self.child.isalive():
            self.child.sendline("exit")
            self.child.close(force=True)


class BackgroundNode:
    """The `node` block's command running as if in a second terminal (its own process group);
    `stop` is Ctrl-C in that terminal."""

    def __init__(self, command: str, cwd: Path, env: dict[str, str], log: Path, port: int) -> None:
        self.command, self.cwd, self.env, self.log, self.port = command, cwd, env, log, port
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                ["bash", "-c", self.command],
                cwd=self.cwd,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + NODE_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"`{self.command}` exited early:\n{self.output()}")
            if self.answers():
                return
            time.sleep(0.25)
        raise RuntimeError(f"`{self.command}` did not bring a node up on port {self.port}:\n{self.output()}")

    def answers(self) -> bool:
        from nmr_pools.cli.local_chain import probe

        return probe(f"http://127.0.0.1:{self.port}") is not None

    def stop(self) -> int | None:
        """Ctrl-C (SIGINT to the terminal's process group); SIGKILL if it hangs. The exit code."""
        if self.process is None:
            return None
        process, self.process = self.process, None
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                return process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                raise RuntimeError(f"`{self.command}` ignored Ctrl-C for {STOP_TIMEOUT} s") from None
        return process.returncode

    def output(self) -> str:
        return clean(self.log.read_text(errors="replace")) if self.log.exists() else ""

    def printed(self, pattern: str, timeout: float = 10) -> bool:
        """Whether the node's terminal shows `pattern` (waiting up to `timeout` seconds for it)."""
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.output()):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True
