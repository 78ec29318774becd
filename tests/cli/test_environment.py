"""`.venv/bin/ape` run from a shell without the venv activated and without node_modules/.bin
on PATH: the plugin finds vyper and anvil itself, and no command prints a warning or a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APE = str(Path(sys.executable).parent / "ape")


def bare_environment(home: Path) -> dict[str, str]:
    """A login shell's PATH (no venv, no node_modules/.bin) and an empty Ape data folder."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("APE_", "VIRTUAL_ENV", "PYTEST"))
    }
    return {
        **env,
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "APE_DATA_FOLDER": str(home / ".ape"),
    }


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [APE, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_pools_help__without_activated_venv__lists_commands(tmp_path):
    result = run(["pools", "--help"], tmp_path, bare_environment(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "sample-round" in result.stdout and "advance" in result.stdout and "node" in result.stdout
    assert result.stderr == ""


def test_deploy__without_activated_venv__compiles_with_the_venvs_vyper(tmp_path):
    """A project copy with one contract changed deploys on the in-process chain: ape-vyper
    recompiles it with the pip-installed vyper although .venv/bin is not on PATH (only the
    changed contract is compiled, when the copy starts from the project's build)."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "contracts", project / "contracts")
    shutil.copy2(ROOT / "ape-config.yaml", project / "ape-config.yaml")
    if (ROOT / ".build").is_dir():
        shutil.copytree(ROOT / ".build", project / ".build")
    with (project / "contracts" / "NMR.vy").open("a") as source:
        source.write("\n# changed by the test: this contract must be compiled again\n")
    env = bare_environment(tmp_path)
    assert shutil.which("vyper", path=env["PATH"]) is None
    result = run(
        ["pools", "deploy", "--account", "TEST::0", "--network", "ethereum:local:test"], project, env
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Compiling using Vyper compiler '0.4.3'" in output and "Wrote " in output
    assert "Traceback" not in output and "Warning" not in output and "has not been installed" not in output


def test_local_chain_command__without_node_modules_on_path__finds_anvil(tmp_path):
    """`ape pools node` fails on its own terms (the port is taken), not for lack of anvil."""
    import socket

    env = bare_environment(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env["APE_FOUNDRY_HOST"] = f"http://127.0.0.1:{port}"
        result = run(["pools", "node", "--state", str(tmp_path / "state.json")], tmp_path, env)
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert (
        "Traceback" not in output
        and "Missing local Foundry" not in output
        and "cannot run anvil" not in output
    )


def test_anvil__npm_wrapper_first_on_path__the_binary_it_wraps_comes_first(monkeypatch):
    """npm's node_modules/.bin/anvil is a node script that exits on Ctrl-C before anvil does;
    with it first on PATH (as `make` puts it), the plugin puts the binary's folder in front."""
    from nmr_pools.environment import is_script, native_anvil, prefer_native_anvil

    wrapper = ROOT / "node_modules" / ".bin" / "anvil"
    binary = native_anvil()
    assert binary is not None and is_script(wrapper) and not is_script(binary)
    monkeypatch.setenv("PATH", f"{wrapper.parent}:/usr/bin:/bin")
    assert shutil.which("anvil") == str(wrapper)
    prefer_native_anvil()
    assert Path(shutil.which("anvil")).resolve() == binary.resolve()
    prefer_native_anvil()  # already the binary: PATH is left as it is
    assert os.environ["PATH"].count(str(binary.parent)) == 1
