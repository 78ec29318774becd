"""What Ape needs from the process environment, set up whenever the package is imported.

`.venv/bin/ape …` run from a shell whose venv is not activated has neither the venv's `bin`
nor the project's `node_modules/.bin` on PATH, and Ape's plugins look their tools up on PATH:
ape-vyper runs `shutil.which("vyper")` (otherwise: "vyper 0.4.3 has not been installed") and
ape-foundry `shutil.which("anvil")` ("Missing local Foundry node client"). Both tools are
installed by `make env`, so they are appended to PATH here (after anything the user has).

ape-vyper's config declares a field with a forward reference that pydantic-settings warns
about (`IncompleteFieldDefinitionWarning`, two lines) on every command that loads the config;
the field is never set by this project, so that one warning is filtered out.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

# the repository this package is installed from (an editable install) and its anvil
PROJECT_ROOT = Path(__file__).resolve().parent.parent
NODE_BIN = Path("node_modules") / ".bin"

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


def prepare() -> None:
    """Make Ape find vyper and anvil, and silence the one third-party warning."""
    extend_path(tool_dirs())
    warnings.filterwarnings("ignore", message=_INCOMPLETE_FIELD, module="pydantic_settings")
