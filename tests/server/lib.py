"""Helpers for the server tests: a store, a running `leadscore serve`, HTTP
calls, and a webhook receiver, all on 127.0.0.1 and bounded in time."""
import hashlib
import hmac
import http.client
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

LS = os.environ.get("LEADSCORE", "build/leadscore")
MODEL = "examples/models/buying-cycle.yaml"


class Fail(Exception):
    pass


# the checks of one test program: counted here, printed at its end
counts = {"passed": 0, "failed": 0}


def check(cond, what):
    if cond:
        counts["passed"] += 1
    else:
        counts["failed"] += 1
        print(f"FAIL: {what}", file=sys.stderr)


def summary():
    """Prints the counts; the exit status for the program."""
    print(f"{counts['passed']} passed, {counts['failed']} failed")
    return 1 if counts["failed"] or not counts["passed"] else 0


def run(*args, check=True, input=None):
    p = subprocess.run([LS, *args], capture_output=True, text=True, input=input, timeout=120)
    if check and p.returncode != 0:
        raise Fail(f"leadscore {' '.join(args)}: exit {p.returncode}: {p.stderr}")
    return p


def new_store(tmp, name="s.db", model=MODEL):
    db = os.path.join(tmp, name)
    run("init", "--db", db, "--model", model)
    return db


class Server:
    def __init__(self, db, *extra, log=None):
        self.db = db
        self.dir = os.path.dirname(db)
        self.port_file = os.path.join(self.dir, f"port-{time.monotonic_ns()}")
        self.err = open(os.path.join(self.dir, "serve.err"), "a")
        self.log = log or os.path.join(self.dir, "requests.log")
        self.proc = subprocess.Popen(
            [LS, "serve", "--db", db, "--listen", "127.0.0.1:0", "--port-file", self.port_file,
             "--log", self.log, *extra],
            stdout=subprocess.DEVNULL, stderr=self.err)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if os.path.exists(self.port_file) and open(self.port_file).read().strip():
                self.port = int(open(self.port_file).read())
                return
            if self.proc.poll() is not None:
                raise Fail(f"serve exited with {self.proc.returncode}")
            time.sleep(0.02)
        raise Fail("serve did not start in 20 s")

    def request(self, method, path, body=None, ctype=None, key=None, timeout=60):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {}
        if ctype:
            headers["Content-Type"] = ctype
        if key:
            headers["Authorization"] = "Bearer " + key
        if isinstance(body, str):
            body = body.encode()
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, data, dict(r.getheaders())

    def json(self, method, path, body=None, ctype=None, key=None):
        st, data, _ = self.request(method, path, body, ctype, key)
        try:
            return st, json.loads(data) if data else None
        except ValueError:
            raise Fail(f"{method} {path}: not JSON ({st}): {data[:200]!r}")

    def post_lines(self, lines, key=None):
        return self.json("POST", "/v1/events", "\n".join(lines) + "\n", "application/x-ndjson",
                         key)

    def stop(self, sig="TERM"):
        if self.proc.poll() is None:
            self.proc.send_signal(15 if sig == "TERM" else 9)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                raise Fail("serve did not stop within 30 s of SIGTERM")
        self.err.close()
        rc = self.proc.returncode
        if sig == "TERM" and rc != 0:  # sanitizer reports end up here too
            tail = open(os.path.join(self.dir, "serve.err")).read()[-3000:]
            raise Fail(f"serve exited with {rc} after SIGTERM:\n{tail}")
        return rc


class Receiver:
    """A webhook receiver: records deliveries; answers `status` (changeable)."""

    def __init__(self, secret):
        self.secret = secret.encode()
        self.got = []  # (headers, body bytes)
        self.status = 200
        self.lock = threading.Lock()
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                with outer.lock:
                    code = outer.status
                    if code == 200:
                        outer.got.append((dict(self.headers), body))
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"

    def verified(self):
        """Deliveries whose signature checks, by delivery id (de-duplicated)."""
        out = {}
        with self.lock:
            got = list(self.got)
        for h, body in got:
            ts = h.get("X-Leadscore-Timestamp", "")
            sig = h.get("X-Leadscore-Signature", "")
            want = "v1=" + hmac.new(self.secret, ts.encode() + b"." + body,
                                    hashlib.sha256).hexdigest()
            if not hmac.compare_digest(sig, want):
                raise Fail(f"bad signature on delivery {h.get('X-Leadscore-Delivery')}")
            out.setdefault(h["X-Leadscore-Delivery"], json.loads(body))
        return out

    def close(self):
        self.httpd.shutdown()


def wait_for(what, cond, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    raise Fail(f"timed out waiting for {what}")


def tmpdir():
    return tempfile.mkdtemp(prefix="ls-server-")
