"""The PNG of `ape pools history --chart`: a pool's price per share and high-water mark by round."""

from __future__ import annotations

from pathlib import Path

from nmr_pools.chain.pool_history import WAD, SettledRound


def draw_history(history: list[SettledRound], title: str, path: Path) -> Path:
    """Price per share (payouts ▲, burns ▼) and the high-water mark, one point per settled round."""
    import matplotlib

    matplotlib.use("Agg")  # no screen needed
    import matplotlib.pyplot as plt

    rounds = [item.round for item in history]
    fig, ax = plt.subplots(figsize=(9, 4.8), dpi=120)
    ax.plot(rounds, [item.price_per_share / WAD for item in history], linewidth=1.8, label="price per share")
    ax.plot(
        rounds,
        [item.high_water_mark / WAD for item in history],
        linestyle="--",
        color="grey",
        label="high-water mark (fees only above it)",
    )
    gains = [(item.round, item.price_per_share / WAD) for item in history if item.round_return > 0]
    burns = [(item.round, item.price_per_share / WAD) for item in history if item.round_return < 0]
    if gains:
        ax.scatter(*zip(*gains, strict=True), marker="^", s=16, color="tab:green", label="payout", zorder=3)
    if burns:
        ax.scatter(*zip(*burns, strict=True), marker="v", s=16, color="tab:red", label="burn", zorder=3)
    ax.axhline(1.0, color="lightgrey", linewidth=0.8)
    ax.set_xlabel("round")
    ax.set_ylabel("NMR per share")
    ax.set_title(title)
    ax.legend(loc="best", fontsize=8)
    ax.grid(alpha=0.25)
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)
    return path
