"""`sample-round`: a synthetic round's input files, to try `score`, `settle` and `verify`.

The files come from the seeded generator (`nmr_pools.scoring.synthetic`): the given models
(those with pools) plus a few other tournament models (so the stake-weighted meta model is
not just the pools' models), predictions for every stock, Numerai-like targets and stakes.
Same round, models and seed, same files. No chain is involved.
"""

from __future__ import annotations

from pathlib import Path

import click

from nmr_pools.cli.readable import ReadableCommand

# where the files go by default (out/ is ignored by git)
OUT_DIR = Path("out") / "rounds"
# names of the other tournament models: other-01, other-02, ...
OTHER_PREFIX = "other-"


def _model_ids(ctx: click.Context, param: click.Parameter, value: str) -> list[str]:
    ids = [part.strip() for part in value.split(",")]
    if any(not part for part in ids):
        raise click.BadParameter("give model ids separated by commas, e.g. alpha,beta (no empty names).")
    if len(set(ids)) != len(ids):
        raise click.BadParameter(f"a model id appears twice in {value!r}.")
    if clash := [part for part in ids if part.startswith(OTHER_PREFIX)]:
        raise click.BadParameter(f"{clash[0]!r}: ids starting with {OTHER_PREFIX!r} name the other models.")
    return ids


@click.command(cls=ReadableCommand)
@click.option(
    "--round",
    "round_id",
    type=click.IntRange(min=1),
    required=True,
    help="The round the files are for (also the default seed).",
)
@click.option(
    "--models",
    "model_ids",
    required=True,
    callback=_model_ids,
    help="Model ids to include, comma-separated (the models of your pools), e.g. alpha,beta.",
)
@click.option(
    "--others",
    type=click.IntRange(min=0, max=1_000),
    default=5,
    show_default=True,
    help="Other tournament models (without pools) that shape the meta model.",
)
@click.option(
    "--stocks",
    type=click.IntRange(min=100, max=100_000),
    default=1_000,
    show_default=True,
    help="Stocks (rows) in the round.",
)
@click.option("--seed", type=int, default=None, help="Seed of the generator (default: the round number).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the three files (default: out/rounds/<round>).",
)
def sample_round(
    round_id: int, model_ids: list[str], others: int, stocks: int, seed: int | None, out_dir: Path | None
) -> None:
    """Write a synthetic round's predictions.csv, targets.csv and stakes.csv for the given
    models, ready for `ape pools score` (and `verify`). Same arguments, same files."""
    from nmr_pools.scoring.synthetic import synthetic_round

    folder = out_dir if out_dir is not None else OUT_DIR / str(round_id)
    names = model_ids + [f"{OTHER_PREFIX}{i:02d}" for i in range(1, others + 1)]
    sample = synthetic_round(
        n_stocks=stocks, n_models=len(names), seed=round_id if seed is None else seed, model_ids=names
    )
    paths = sample.write(folder, "csv")
    click.echo(
        f"Wrote round {round_id}: {stocks:,} stocks, models {', '.join(model_ids)}"
        + (f" and {others} other(s)" if others else "")
        + f", to {folder}/:"
    )
    click.echo("  " + "  ".join(path.name for path in paths.values()))
    inputs = " ".join(f"--{name} {path}" for name, path in paths.items())
    click.echo(f"Score it: ape pools score --round {round_id} {inputs} --out {folder / 'results.json'}")
