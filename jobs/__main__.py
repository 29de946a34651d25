"""`python -m jobs`: run every scheduled job in this one process until interrupted."""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
from datetime import UTC, datetime

from apscheduler.schedulers.blocking import BlockingScheduler

from jobs.schedule import jobs
from portal import create_app


def main() -> int:
    """Start the scheduler with the declared jobs; stop cleanly on SIGTERM or Ctrl-C."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s jobs %(levelname)s %(name)s: %(message)s")
    app = create_app()
    # coalesce: a job missed while the process was down runs once, not once per missed interval.
    scheduler = BlockingScheduler(timezone="Europe/Paris", job_defaults={"coalesce": True, "max_instances": 1})
    for job in jobs(app.config):
        if job.run_at_start:
            job.options.setdefault("next_run_time", datetime.now(UTC))
        scheduler.add_job(job.func, job.trigger, args=[app], id=job.name, name=job.name, **job.options)
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=True))
    logging.getLogger(__name__).info("jobs process started with %d jobs", len(scheduler.get_jobs()))
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
