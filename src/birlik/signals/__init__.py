"""Early warning: indicators per region and day, baselines, surge/story/source-health rules,
alerts with their lifecycle, notifications, the monitor loop and backtests."""
