#!/usr/bin/env python3
"""Writes the bench logs with CPython's real `logging` module (seeded, so every run is identical).

    python3 scripts/make-bench-log.py [--dir DIR] [--records N] [--big] [--huge] [--force]

prints the path of each log, one per line: `bench.log` (2,000,000 records, ~170 MB), with
`--big` (or BENCH_BIG=1) `bench-1g.log` (~1 GB), with `--huge` (or BENCH_HUGE=1) `bench-5g.log`
(~5 GB, for memory checks). Files that exist are kept. DIR defaults to
`${XDG_CACHE_HOME:-~/.cache}/loglens-bench`.

Speed: a Formatter on one StreamHandler writing to the file, and a fake clock (a Filter that sets
each record's `created`), so no real time passes and no sleeping is needed. The 1 GB log is the
small one repeated with every header moved to the next day, which keeps it a valid, time-ordered
log without running `logging` for 13 million records.
"""
import argparse
import logging
import os
import random
import sys

FORMAT = '%(asctime)s - %(name)s - %(levelname)s - %(message)s'
START = 1714557600.0  # 2024-05-01 10:00:00 UTC; the log's dates stay within this one day
# Mean gap between records: the whole small log fits in one calendar day (so the big one can
# shift dates by a day per copy).
SPAN_SECONDS = 12 * 3600

LOGGERS = ['app', 'app.db', 'app.http', 'app.auth', 'app.cache', 'app.worker', 'app.scheduler',
           'urllib3.connectionpool', 'sqlalchemy.engine', 'celery.worker']
PATHS = ['/api/v1/users', '/api/v1/orders', '/healthz', '/static/app.js', '/api/v2/search', '/login']
TABLES = ['users', 'orders', 'sessions', 'events', 'payments']
HOSTS = ['db-1.internal', 'db-2.internal', 'cache-1.internal', 'api.example.com']


def ip(r):
    return f'10.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}'


# (level, weight, logger index or None for any, message maker)
MESSAGES = [
    (logging.DEBUG, 90, 1, lambda r: ('query took %.2f ms rows=%d table=%s', r.random() * 50, r.randrange(500), r.choice(TABLES))),
    (logging.DEBUG, 100, 4, lambda r: ('cache hit key=user:%d ttl=%ds', r.randrange(10**6), r.randrange(3600))),
    (logging.DEBUG, 40, 7, lambda r: ('Starting new HTTPS connection (%d): %s:443', r.randrange(1, 9), r.choice(HOSTS))),
    (logging.DEBUG, 130, 8, lambda r: ('BEGIN (implicit)',)),
    (logging.DEBUG, 130, 8, lambda r: ('COMMIT',)),
    (logging.INFO, 260, 2, lambda r: ('%s "GET %s" %d %d', ip(r), r.choice(PATHS), r.choice([200, 200, 200, 201, 304]), r.randrange(100, 90000))),
    (logging.INFO, 80, 2, lambda r: ('%s "POST %s" %d %d', ip(r), r.choice(PATHS), r.choice([200, 201, 202]), r.randrange(100, 9000))),
    (logging.INFO, 70, 3, lambda r: ('user %d logged in from %s', r.randrange(10**5), ip(r))),
    (logging.INFO, 40, 3, lambda r: ('session %08x expired after %d s', r.getrandbits(32), r.randrange(60, 86400))),
    (logging.INFO, 60, 5, lambda r: ('task %s[%08x] succeeded in %.3fs', r.choice(['send_email', 'resize_image', 'sync_orders']), r.getrandbits(32), r.random() * 5)),
    (logging.INFO, 40, 6, lambda r: ('job %s scheduled at %02d:%02d', r.choice(['cleanup', 'report', 'backup']), r.randrange(24), r.randrange(60))),
    (logging.INFO, 30, 0, lambda r: ('processed batch %d of %d (%d items)', r.randrange(1, 100), 100, r.randrange(1000))),
    (logging.INFO, 20, 9, lambda r: ('Received task: tasks.%s[%s]', r.choice(['send_email', 'resize_image']), '%08x-%04x-%04x' % (r.getrandbits(32), r.getrandbits(16), r.getrandbits(16)))),
    (logging.WARNING, 50, 2, lambda r: ('slow request %s took %d ms', r.choice(PATHS), r.randrange(1000, 9000))),
    (logging.WARNING, 30, 1, lambda r: ('connection pool for %s is %d%% full', r.choice(HOSTS), r.randrange(80, 100))),
    (logging.WARNING, 20, 7, lambda r: ('Retrying (Retry(total=%d)) after connection broken', r.randrange(5))),
    (logging.ERROR, 25, 1, lambda r: ('could not connect to %s:%d: connection refused', r.choice(HOSTS), 5432)),
    (logging.ERROR, 15, 2, lambda r: ('%s - "GET %s HTTP/1.1" 500 %d', ip(r), r.choice(PATHS), r.randrange(100, 900))),
    (logging.CRITICAL, 3, 0, lambda r: ('worker %d died with exit code %d', r.randrange(64), r.choice([1, 137, 139]))),
]
TRACEBACK_WEIGHT = 5  # logger.exception with a real exception (ERROR plus a traceback)


class FakeClock(logging.Filter):
    """Stamps records with an advancing fake time instead of the wall clock."""

    def __init__(self, rng):
        super().__init__()
        self.t = START
        self.rng = rng
        self.step = SPAN_SECONDS / 2_000_000

    def filter(self, record):
        self.t += self.rng.random() * 2 * self.step
        record.created = self.t
        record.msecs = (self.t - int(self.t)) * 1000
        return True


def parse_amount(text):
    return int(text)


def load_order(order_id):
    return parse_amount(f'#{order_id}')


def make_small(path, records, seed=1234):
    rng = random.Random(seed)
    # No caller lookup, thread or process names: they are not in FORMAT and cost most of the time.
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    tmp = path + '.part'
    stream = open(tmp, 'w', encoding='utf-8', buffering=1 << 20)
    handler = logging.StreamHandler(stream)
    formatter = logging.Formatter(FORMAT)
    formatter.converter = __import__('time').gmtime  # the dates do not depend on the machine's zone
    handler.setFormatter(formatter)
    clock = FakeClock(rng)
    handler.addFilter(clock)
    loggers = [logging.getLogger(n) for n in LOGGERS]
    for lg in loggers:
        lg.handlers[:] = [handler]
        lg.setLevel(logging.DEBUG)
        lg.propagate = False
    weights = [w for (_, w, _, _) in MESSAGES] + [TRACEBACK_WEIGHT]
    kinds = rng.choices(range(len(weights)), weights=weights, k=records)
    for k in kinds:
        if k == len(MESSAGES):
            lg = loggers[rng.choice([0, 1, 5])]
            try:
                load_order(rng.randrange(10**6))
            except ValueError:
                lg.exception('failed to load order %d', rng.randrange(10**6))
            continue
        level, _, li, make = MESSAGES[k]
        args = make(rng)
        loggers[li].log(level, args[0], *args[1:])
    handler.flush()
    stream.close()
    for lg in loggers:
        lg.handlers[:] = []
    os.replace(tmp, path)


def make_big(small, path, target=1 << 30):
    """The small log repeated, each copy's header dates moved on by one day per copy."""
    with open(small, 'rb') as f:
        data = f.read()
    first = data[:10]  # b'2024-05-01'
    tmp = path + '.part'
    with open(tmp, 'wb') as out:
        written = 0
        day = 0
        while written < target:
            if day == 0:
                chunk = data
            else:
                d = b'2024-05-%02d' % (1 + day) if day < 31 else b'2024-06-%02d' % (day - 30) if day < 61 else b'2024-07-%02d' % (day - 60)
                chunk = d + data[10:].replace(b'\n' + first + b' ', b'\n' + d + b' ')
            out.write(chunk)
            written += len(chunk)
            day += 1
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cache = os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')
    ap.add_argument('--dir', default=os.path.join(cache, 'loglens-bench'))
    ap.add_argument('--records', type=int, default=2_000_000)
    ap.add_argument('--big', action='store_true', default=os.environ.get('BENCH_BIG') == '1')
    ap.add_argument('--huge', action='store_true', default=os.environ.get('BENCH_HUGE') == '1')
    ap.add_argument('--force', action='store_true')
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    name = 'bench.log' if a.records == 2_000_000 else f'bench-{a.records}.log'
    small = os.path.join(a.dir, name)
    if a.force or not os.path.exists(small):
        print(f'writing {small} ({a.records} records) …', file=sys.stderr)
        make_small(small, a.records)
    print(small)
    if a.big:
        big = os.path.join(a.dir, 'bench-1g.log')
        if a.force or not os.path.exists(big):
            print(f'writing {big} …', file=sys.stderr)
            make_big(small, big)
        print(big)
    if a.huge:
        huge = os.path.join(a.dir, 'bench-5g.log')
        if a.force or not os.path.exists(huge):
            print(f'writing {huge} …', file=sys.stderr)
            make_big(small, huge, 5 << 30)
        print(huge)


if __name__ == '__main__':
    main()
