"""The test application of the live proof (tests/live/main.rs).

It stands in for the user's code on an application host and reads the
environment the bundle writes (/etc/default/<stack>-app): BIND, PORT,
HEALTH_PATH, and for each database the server links to DB_<DB>_WRITE,
DB_<DB>_READ, DB_<DB>_NAME, DB_<DB>_USER and DB_<DB>_PASSWORD.

- GET HEALTH_PATH answers 200 while the process runs (liveness only).
- Any other GET, for each database: with a write endpoint, inserts a fresh
  token there and reads it back through the read endpoint (polling a short
  while when that is a replica, which may lag); with only a read endpoint
  (a `read` link), reads the probe table. 200 when every database answered,
  503 otherwise.

Standard library plus PyMySQL. Every database call is bounded in time.
"""

import os
import secrets
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pymysql

TABLE = "live_probe"
CONNECT_TIMEOUT = 1
IO_TIMEOUT = 2
REPLICA_WAIT = 1.5


def databases(env):
    """(ident, endpoints) of each database, from the prefixed variables."""
    found = []
    for key in sorted(env):
        if key.startswith("DB_") and key.endswith("_NAME") and key != "DB_NAME":
            ident = key[len("DB_") : -len("_NAME")]
            get = lambda v: env.get(f"DB_{ident}_{v}")
            found.append(
                {
                    "ident": ident,
                    "write": get("WRITE"),
                    "read": get("READ"),
                    "name": get("NAME"),
                    "user": get("USER"),
                    "password": get("PASSWORD") or "",
                }
            )
    return found


def connect(db, endpoints):
    """A connection to the first of the endpoints (`address:port`,
    comma-separated: one of several targets) that answers."""
    error = None
    for endpoint in endpoints.split(","):
        host, _, port = endpoint.strip().rpartition(":")
        try:
            return pymysql.connect(
                host=host.strip("[]"),
                port=int(port),
                user=db["user"],
                password=db["password"],
                database=db["name"],
                connect_timeout=CONNECT_TIMEOUT,
                read_timeout=IO_TIMEOUT,
                write_timeout=IO_TIMEOUT,
                autocommit=True,
            )
        except pymysql.MySQLError as e:
            error = e
    raise error


def probe(db, me):
    """Raises when the database does not serve this request."""
    if db["write"]:
        token = secrets.token_hex(16)
        conn = connect(db, db["write"])
        try:
            with conn.cursor() as c:
                c.execute(f"INSERT INTO {TABLE} (host, token) VALUES (%s, %s)", (me, token))
        finally:
            conn.close()
        where = db["read"] or db["write"]
        conn = connect(db, where)
        try:
            deadline = time.monotonic() + (0 if where == db["write"] else REPLICA_WAIT)
            while True:
                with conn.cursor() as c:
                    c.execute(f"SELECT COUNT(*) FROM {TABLE} WHERE token = %s", (token,))
                    if c.fetchone()[0] == 1:
                        return
                if time.monotonic() >= deadline:
                    raise RuntimeError(f"{where}: the row written to {db['write']} is not there")
                time.sleep(0.05)
        finally:
            conn.close()
    elif db["read"]:
        conn = connect(db, db["read"])
        try:
            with conn.cursor() as c:
                c.execute(f"SELECT COUNT(*) FROM {TABLE}")
                c.fetchone()
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
            for db in self.server.dbs:
                probe(db, self.server.me)
        except Exception as e:  # any failure of a database is a 503
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
    server.dbs = databases(env)
    server.me = env["BIND"]
    sys.stderr.write(f"app on {env['BIND']}:{env['PORT']}, databases {server.dbs and [d['ident'] for d in server.dbs]}\n")
    sys.stderr.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
