"""`python -m nmr_pools.scoring --round N --predictions ... --out results.json`."""

from nmr_pools.scoring.cli import score_command

if __name__ == "__main__":
    score_command(prog_name="python -m nmr_pools.scoring")
