"""The demo season: deploy, create pools, let delegators behave like people, score and settle
rounds through the same code path as `ape pools settle`, then report (tables, chart, report.md)."""
