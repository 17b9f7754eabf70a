#!/usr/bin/env python3
"""Writes realistic sample logs with CPython's real `logging` module.

Usage: make-samples.py OUT_DIR [--seed N]

Produces, in OUT_DIR:
  app.log, app.log.1, app.log.2   a RotatingFileHandler set (`%(asctime)s - %(name)s - %(levelname)s - %(message)s`)
                                  with every level, a logged exception with a chained traceback
  worker.log                      `[%(asctime)s] %(levelname)-8s %(name)s: %(message)s` with an exception
  basic.log                       the basicConfig default `LEVEL:name:message`
"""
import logging
import logging.handlers
import os
import random
import sys


def build(out_dir: str, seed: int = 7) -> None:
    os.makedirs(out_dir, exist_ok=True)
    rnd = random.Random(seed)
    # Deterministic timestamps: a fixed start, advancing by a few hundred ms per record.
    clock = [1714557600.0]  # 2024-05-01 10:00:00 UTC

    def fake_time():
        clock[0] += rnd.uniform(0.05, 0.9)
        return clock[0]

    logging.Formatter.converter = __import__('time').gmtime

    class Clock(logging.Filter):
        def filter(self, record):
            t = fake_time()
            record.created = t
            record.msecs = (t - int(t)) * 1000
            return True

    path = os.path.join(out_dir, 'app.log')
    for f in os.listdir(out_dir):
        if f.startswith('app.log'):
            os.remove(os.path.join(out_dir, f))
    rot = logging.handlers.RotatingFileHandler(path, maxBytes=24_000, backupCount=2, encoding='utf-8')
    rot.setFormatter(logging.Formatter('%(asctime)s - %(name)s - %(levelname)s - %(message)s'))
    rot.addFilter(Clock())
    root = logging.getLogger('app')
    root.setLevel(logging.DEBUG)
    root.propagate = False
    root.addHandler(rot)
    db = logging.getLogger('app.db')
    http = logging.getLogger('app.http')
    users = ['alice', 'bob', 'carol', 'dave']

    def load_config(name):
        raise FileNotFoundError(2, 'No such file or directory', name)

    def parse_amount(text):
        return int(text)

    for i in range(600):
        r = rnd.random()
        user = rnd.choice(users)
        if r < 0.45:
            http.info('GET /api/orders/%d 200 %dms user=%s', rnd.randint(1000, 9999), rnd.randint(3, 250), user)
        elif r < 0.65:
            db.debug('query took %.1f ms rows=%d', rnd.uniform(0.2, 40), rnd.randint(0, 500))
        elif r < 0.75:
            root.info('order %d shipped to %s, error count 0', rnd.randint(1, 99999), user)
        elif r < 0.88:
            db.warning('slow query: %.0f ms on table orders (threshold 100 ms)', rnd.uniform(100, 900))
        elif r < 0.95:
            http.error('upstream timeout after %d ms calling http://payments.internal:8080/charge', rnd.randint(1000, 5000))
        elif r < 0.98:
            try:
                try:
                    parse_amount('12,50')
                except ValueError as e:
                    raise RuntimeError('could not price order %d' % rnd.randint(1, 99999)) from e
            except RuntimeError:
                root.exception('order pricing failed for user %s', user)
        else:
            try:
                load_config('/etc/app/settings.toml')
            except OSError:
                root.critical('cannot load configuration, shutting down worker', exc_info=True)
    rot.close()
    root.removeHandler(rot)

    worker = logging.getLogger('worker.jobs')
    worker.propagate = False
    worker.setLevel(logging.DEBUG)
    fh = logging.FileHandler(os.path.join(out_dir, 'worker.log'), mode='w', encoding='utf-8')
    fh.setFormatter(logging.Formatter('[%(asctime)s] %(levelname)-8s %(name)s: %(message)s'))
    fh.addFilter(Clock())
    worker.addHandler(fh)
    for i in range(80):
        worker.info('job %d started queue=%s', i, rnd.choice(['mail', 'billing', 'reports']))
        if i % 17 == 3:
            try:
                {}['customer_id']
            except KeyError:
                worker.exception('job %d failed', i)
        elif i % 11 == 5:
            worker.warning('job %d retry %d/3 after %dms', i, rnd.randint(1, 3), rnd.randint(100, 900))
    fh.close()

    basic = os.path.join(out_dir, 'basic.log')
    with open(basic, 'w', encoding='utf-8') as f:
        h = logging.StreamHandler(f)
        h.setFormatter(logging.Formatter(logging.BASIC_FORMAT))
        lg = logging.getLogger('basic')
        lg.propagate = False
        lg.setLevel(logging.DEBUG)
        lg.addHandler(h)
        for i in range(40):
            lg.log(rnd.choice([logging.DEBUG, logging.INFO, logging.INFO, logging.WARNING, logging.ERROR]), 'step %d done in %d ms', i, rnd.randint(1, 90))
        lg.removeHandler(h)


if __name__ == '__main__':
    args = sys.argv[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    seed = int(args[args.index('--seed') + 1]) if '--seed' in args else 7
    build(args[0], seed)
