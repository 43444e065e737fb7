"""The test application of the live proof (tests/live/main.rs).

It stands in for the user's code on an application host and reads the
environment the bundle writes (/etc/default/<stack>-app): BIND, PORT,
HEALTH_PATH, and per link target:

- a database: DB_<DB>_WRITE, DB_<DB>_READ, DB_<DB>_NAME, DB_<DB>_USER,
  DB_<DB>_PASSWORD and DB_<DB>_KIND (`mysql`, the default when absent, or
  `postgres`);
- a Redis: REDIS_<R>_WRITE (`address:port`), REDIS_<R>_READ
  (comma-separated) and REDIS_<R>_PASSWORD.

Endpoints are `address:port` (`[v6]:port` too), several comma-separated
when a link has several targets: the first that answers serves.

- GET HEALTH_PATH answers 200 while the process runs (liveness only).
- Any other GET, for each database and each Redis: with a write endpoint,
  writes a fresh token there and reads it back through the read endpoint
  (polling a short while when that is a replica, which may lag); with only
  a read endpoint (a `read` link), reads there. 200 when every one
  answered, 503 otherwise.

A database's table is the deployment's to create, in the database NAME:
`live_probe (id, host, token)` (MySQL: BIGINT AUTO_INCREMENT, VARCHAR(64),
CHAR(32); PostgreSQL: bigserial, varchar(64), char(32)). A Redis token is
the key `live_probe:<token>`, expiring after five minutes.

Standard library plus PyMySQL, pg8000 and redis-py (pure Python). Every
call to a server is bounded in time and never retried by the client
library.
"""

import os
import secrets
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pg8000.native
import pymysql
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

TABLE = "live_probe"
CONNECT_TIMEOUT = 1
IO_TIMEOUT = 2
REPLICA_WAIT = 1.5
REDIS_TTL = 300


def databases(env):
    """(ident, endpoints) of each database, from the prefixed variables."""
    found = []
    for key in sorted(env):
        if key.startswith("DB_") and key.endswith("_NAME") and key != "DB_NAME":
            ident = key[len("DB_") : -len("_NAME")]
            get = lambda v: env.get(f"DB_{ident}_{v}")
            kind = get("KIND") or "mysql"
            if kind not in KINDS:
                raise SystemExit(f"DB_{ident}_KIND={kind}: not one of {sorted(KINDS)}")
            found.append(
                {
                    "ident": ident,
                    "kind": kind,
                    "write": get("WRITE"),
                    "read": get("READ"),
                    "name": get("NAME"),
                    "user": get("USER"),
                    "password": get("PASSWORD") or "",
                }
            )
    return found


def caches(env):
    """(ident, endpoints) of each Redis, from the prefixed variables."""
    found = []
    for key in sorted(env):
        for end in ("_WRITE", "_READ"):
            if key.startswith("REDIS_") and key.endswith(end):
                ident = key[len("REDIS_") : -len(end)]
                if ident and all(c["ident"] != ident for c in found):
                    get = lambda v: env.get(f"REDIS_{ident}_{v}")
                    found.append(
                        {
                            "ident": ident,
                            "kind": "redis",
                            "write": get("WRITE"),
                            "read": get("READ"),
                            "password": get("PASSWORD") or None,
                        }
                    )
    return found


def split(endpoint):
    """`address:port` or `[v6]:port`: (address, port)."""
    host, _, port = endpoint.strip().rpartition(":")
    return host.strip("[]"), int(port)


class MySQL:
    """A MariaDB/MySQL session: the probe's two statements."""

    errors = (pymysql.MySQLError,)

    def __init__(self, db, host, port):
        self.conn = pymysql.connect(
            host=host,
            port=port,
            user=db["user"],
            password=db["password"],
            database=db["name"],
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=IO_TIMEOUT,
            write_timeout=IO_TIMEOUT,
            autocommit=True,
        )

    def insert(self, me, token):
        with self.conn.cursor() as c:
            c.execute(f"INSERT INTO {TABLE} (host, token) VALUES (%s, %s)", (me, token))

    def count(self, token=None):
        with self.conn.cursor() as c:
            if token is None:
                c.execute(f"SELECT COUNT(*) FROM {TABLE}")
            else:
                c.execute(f"SELECT COUNT(*) FROM {TABLE} WHERE token = %s", (token,))
            return c.fetchone()[0]

    def close(self):
        self.conn.close()


class Postgres:
    """A PostgreSQL session (scram-sha-256 over TCP, autocommit)."""

    errors = (pg8000.native.Error, OSError)

    def __init__(self, db, host, port):
        # pg8000 has one timeout, for the connection and each operation.
        self.conn = pg8000.native.Connection(
            db["user"],
            host=host,
            port=port,
            database=db["name"],
            password=db["password"],
            timeout=IO_TIMEOUT,
            application_name="stackc-live",
        )

    def insert(self, me, token):
        self.conn.run(f"INSERT INTO {TABLE} (host, token) VALUES (:h, :t)", h=me, t=token)

    def count(self, token=None):
        if token is None:
            return self.conn.run(f"SELECT COUNT(*) FROM {TABLE}")[0][0]
        return self.conn.run(f"SELECT COUNT(*) FROM {TABLE} WHERE token = :t", t=token)[0][0]

    def close(self):
        self.conn.close()


class Redis:
    """A Redis connection, authenticated, without the client's retries."""

    errors = (redis.RedisError, OSError)

    def __init__(self, cache, host, port):
        self.conn = redis.Redis(
            host=host,
            port=port,
            password=cache["password"],
            socket_connect_timeout=CONNECT_TIMEOUT,
            socket_timeout=IO_TIMEOUT,
            retry=Retry(NoBackoff(), 0),
            single_connection_client=True,
        )
        self.conn.ping()

    def insert(self, me, token):
        self.conn.set(f"{TABLE}:{token}", me, ex=REDIS_TTL)

    def count(self, token=None):
        if token is None:
            self.conn.exists(f"{TABLE}:none")
            return 0
        return self.conn.exists(f"{TABLE}:{token}")

    def close(self):
        self.conn.close()


KINDS = {"mysql": MySQL, "postgres": Postgres, "redis": Redis}


def connect(target, endpoints):
    """A session on the first of the endpoints (`address:port`,
    comma-separated: one of several targets) that answers."""
    kind = KINDS[target["kind"]]
    error = None
    for endpoint in endpoints.split(","):
        host, port = split(endpoint)
        try:
            return kind(target, host, port)
        except kind.errors as e:
            error = e
    raise error


def probe(target, me):
    """Raises when the database or Redis does not serve this request."""
    if target["write"]:
        token = secrets.token_hex(16)
        conn = connect(target, target["write"])
        try:
            conn.insert(me, token)
        finally:
            conn.close()
        where = target["read"] or target["write"]
        conn = connect(target, where)
        try:
            deadline = time.monotonic() + (0 if where == target["write"] else REPLICA_WAIT)
            while True:
                if conn.count(token) == 1:
                    return
                if time.monotonic() >= deadline:
                    raise RuntimeError(f"{where}: what was written to {target['write']} is not there")
                time.sleep(0.05)
        finally:
            conn.close()
    elif target["read"]:
        conn = connect(target, target["read"])
        try:
            conn.count()
        finally:
            conn.close()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, code, text):
        body = (text + "\n").encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == self.server.health:
            self.answer(200, "alive")
            return
        try:
            for target in self.server.targets:
                probe(target, self.server.me)
        except Exception as e:  # any failure of a database or Redis is a 503
            self.answer(503, f"{self.server.me}: {type(e).__name__}: {e}")
            return
        self.answer(200, f"{self.server.me}: ok")

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))


def main():
    env = os.environ
    server = ThreadingHTTPServer((env["BIND"], int(env["PORT"])), Handler)
    server.daemon_threads = True
    server.health = env.get("HEALTH_PATH", "/healthz")
    server.targets = databases(env) + caches(env)
    server.me = env["BIND"]
    names = [f"{t['kind']} {t['ident']}" for t in server.targets]
    sys.stderr.write(f"app on {env['BIND']}:{env['PORT']}, targets {names}\n")
    sys.stderr.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
