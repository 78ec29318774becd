"""What Ape needs from the process environment, set up whenever the package is imported.

`.venv/bin/ape …` run from a shell whose venv is not activated has neither the venv's `bin`
nor the project's `node_modules/.bin` on PATH, and Ape's plugins look their tools up on PATH:
ape-vyper runs `shutil.which("vyper")` (otherwise: "vyper 0.4.3 has not been installed") and
ape-foundry `shutil.which("anvil")` ("Missing local Foundry node client"). Both tools are
installed by `make env`, so they are appended to PATH here (after anything the user has).

npm's `node_modules/.bin/anvil` is not anvil: it is a node script that starts the binary as its
child and, on Ctrl-C or SIGTERM, forwards the signal and exits at once. Whoever started the
script then sees it gone while anvil is still saving its state and answering on its port (and
killing the script orphans anvil). So when `anvil` on PATH is that script, the folder of the
binary it wraps goes in front of it.

ape-vyper's config declares a field with a forward reference that pydantic-settings warns
about (`IncompleteFieldDefinitionWarning`, two lines) on every command that loads the config;
the field is never set by this project, so that one warning is filtered out.
"""

from __future__ import annotations

import os
import shutil
import sys
import warnings
from pathlib import Path

# the repository this package is installed from (an editable install) and its anvil
PROJECT_ROOT = Path(__file__).resolve().parent.parent
NODE_BIN = Path("node_modules") / ".bin"
# where npm's platform package puts the anvil binary (@foundry-rs/anvil-linux-amd64, ...)
ANVIL_BINARY = "node_modules/@foundry-rs/anvil-*/bin/anvil"

# pydantic-settings' warning about ape-vyper's `import_remapping: list["Remapping"]`
_INCOMPLETE_FIELD = r"Field '\w+' has an incomplete definition"


def tool_dirs() -> list[Path]:
    """Folders holding the project's tools: this interpreter's `bin` (vyper, ape) and the
    `node_modules/.bin` (anvil) of the current directory and of the package's repository."""
    folders = [Path(sys.executable).parent, Path.cwd() / NODE_BIN, PROJECT_ROOT / NODE_BIN]
    return [folder for folder in folders if folder.is_dir()]


def extend_path(folders: list[Path]) -> None:
    """Append the folders PATH lacks, keeping the user's own tools first."""
    entries = os.environ.get("PATH", "").split(os.pathsep)
    known = {os.path.realpath(entry) for entry in entries if entry}
    extra = [str(folder) for folder in folders if os.path.realpath(folder) not in known]
    if extra:
        os.environ["PATH"] = os.pathsep.join([entry for entry in entries if entry] + extra)


def native_anvil() -> Path | None:
    """The anvil binary npm installed for this platform (current directory first, then the
    package's repository), or None."""
    for root in (Path.cwd(), PROJECT_ROOT):
        found = sorted(root.glob(ANVIL_BINARY))
        if found:
            return found[0]
    return None


def is_script(path: str | Path) -> bool:
    """Whether an executable is an interpreted script (`#!...`) rather than a binary."""
    try:
        with open(path, "rb") as executable:
            return executable.read(2) == b"#!"
    except OSError:
        return False


def prefer_native_anvil() -> None:
    """When `anvil` on PATH is npm's wrapper script, put the binary's own folder first."""
    on_path = shutil.which("anvil")
    binary = native_anvil()
    if on_path is not None and is_script(on_path) and binary is not None:
        entries = [entry for entry in os.environ.get("PATH", "").split(os.pathsep) if entry]
        os.environ["PATH"] = os.pathsep.join([str(binary.parent), *entries])


def prepare() -> None:
    """Make Ape find vyper and anvil (the binary, not npm's wrapper), and silence the one
    third-party warning."""
    extend_path(tool_dirs())
    prefer_native_anvil()
    warnings.filterwarnings("ignore", message=_INCOMPLETE_FIELD, module="pydantic_settings")
