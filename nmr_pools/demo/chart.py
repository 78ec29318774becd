"""The demo chart: price per share of every pool over the season, burns and payouts marked,
and the high-water mark of the pool that burned most."""

from __future__ import annotations

from pathlib import Path

from nmr_pools.demo.season import Season

WAD = 10**18


def draw(season: Season, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")  # no screen needed
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 5.5), dpi=120)
    # the high-water mark shown is the comeback pool's (else the pool that burned most)
    comeback = [i for i, spec in enumerate(season.specs) if spec.comeback_until]
    most_burns = (
        comeback[0]
        if comeback
        else max(range(len(season.history)), key=lambda i: sum(1 for p in season.history[i] if p.burned))
    )
    for spec, history in zip(season.specs, season.history, strict=True):
        if not history:
            continue
        rounds = [p.round for p in history]
        prices = [p.price / WAD for p in history]
        (line,) = ax.plot(rounds, prices, label=f"{spec.name} (fee {spec.fee_bps / 100:.0f}%)", linewidth=1.8)
        gains = [(p.round, p.price / WAD) for p in history if p.paid]
        burns = [(p.round, p.price / WAD) for p in history if p.burned]
        if gains:
            ax.scatter(*zip(*gains, strict=False), marker="^", s=14, color=line.get_color(), alpha=0.6)
        if burns:
            ax.scatter(*zip(*burns, strict=False), marker="v", s=14, color="black", alpha=0.5)
    burned = season.history[most_burns]
    if burned:
        ax.plot(
            [p.round for p in burned],
            [p.high_water_mark / WAD for p in burned],
            linestyle="--",
            color="grey",
            label=f"{season.specs[most_burns].name} high-water mark",
        )
    ax.axhline(1.0, color="lightgrey", linewidth=0.8)
    ax.set_xlabel("round settled")
    ax.set_ylabel("NMR per share")
    ax.set_title("Price per share by pool (▲ payout, ▼ burn)")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.25)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
