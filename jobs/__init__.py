"""The jobs process: one APScheduler scheduler, started only by `python -m jobs`."""
