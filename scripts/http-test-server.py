#!/usr/bin/env python3
"""A tiny OpenAI-compatible embeddings server for LLMCacheOpenAI's tests.

Binds 127.0.0.1 on a free port, prints the port as its first stdout line and
serves until it is terminated or its stdin closes (so it never outlives the
test process that started it). Standard library only.

POST /v1/embeddings picks a behaviour from the request's "model":
  ok               200; vector i = [len(input), 1, 0, ...]; data listed in reverse order
  count-batches    like ok, with component 2 = number of inputs in this request
  echo-auth        like ok, with component 2 = 2 if "Authorization: Bearer secret-key",
                   1 for another Authorization, 0 for none; component 3 = 1 if
                   Content-Type is application/json
  flaky-429        429 (Retry-After: 0) the first time an input list is seen, then like ok
  always-500       500 with an OpenAI error document, every time
  bad-request      400 with an OpenAI error document
  slow             sleeps 3 s, then like ok
  malformed        200 with a truncated JSON body
  wrong-dimensions 200 with vectors one component too long
  wrong-count      200 with one vector fewer than inputs
  non-finite       200 with a component of 1e39 (finite as a double, not as a float)
Vectors have "dimensions" components when the request names it, else 4.

GET /calls?key=MODEL:FIRST_INPUT returns {"calls": n}: how many requests with
that model and first input arrived (to count retries).
"""

import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

lock = threading.Lock()
calls = {}


def vectors(inputs, dims, extra=None):
    data = []
    for i, text in enumerate(inputs):
        vector = [0.0] * dims
        vector[0] = float(len(text))
        if dims > 1:
            vector[1] = 1.0
        for position, value in (extra or {}).items():
            if position < dims:
                vector[position] = float(value)
        data.append({"object": "embedding", "index": i, "embedding": vector})
    data.reverse()  # clients must order by "index", not by position
    return data


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def send_json(self, status, document, headers=None, raw=None):
        body = raw if raw is not None else json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlparse(self.path)
        if url.path == "/calls":
            key = parse_qs(url.query).get("key", [""])[0]
            with lock:
                count = calls.get(key, 0)
            self.send_json(200, {"calls": count})
        else:
            self.send_json(404, {"error": {"message": "no such path"}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        if urlparse(self.path).path != "/v1/embeddings":
            self.send_json(404, {"error": {"message": "no such path"}})
            return
        try:
            request = json.loads(raw)
            model = request["model"]
            inputs = request["input"]
            if isinstance(inputs, str):
                inputs = [inputs]
        except (ValueError, KeyError, TypeError) as error:
            self.send_json(400, {"error": {"message": "bad request body: %s" % error}})
            return
        dims = request.get("dimensions") or 4
        key = "%s:%s" % (model, inputs[0] if inputs else "")
        with lock:
            calls[key] = calls.get(key, 0) + 1
            count = calls[key]

        def ok(extra=None):
            self.send_json(200, {"object": "list", "model": model, "data": vectors(inputs, dims, extra)})

        if model == "ok":
            ok()
        elif model == "count-batches":
            ok({2: len(inputs)})
        elif model == "echo-auth":
            auth = self.headers.get("Authorization")
            flag = 0 if auth is None else (2 if auth == "Bearer secret-key" else 1)
            json_type = 1 if self.headers.get("Content-Type") == "application/json" else 0
            ok({2: flag, 3: json_type})
        elif model == "flaky-429":
            if count == 1:
                self.send_json(429, {"error": {"message": "rate limited, slow down"}}, {"Retry-After": "0"})
            else:
                ok()
        elif model == "always-500":
            self.send_json(500, {"error": {"message": "the embedding server is on fire", "type": "server_error"}})
        elif model == "bad-request":
            self.send_json(400, {"error": {"message": "unknown model bad-request", "type": "invalid_request_error"}})
        elif model == "slow":
            time.sleep(3)
            try:
                ok()
            except OSError:
                pass  # the client gave up
        elif model == "malformed":
            self.send_json(200, None, raw=b'{"data": [{"index": 0, "embedding": [1.0, 2.0')
        elif model == "wrong-dimensions":
            self.send_json(200, {"data": vectors(inputs, dims + 1)})
        elif model == "wrong-count":
            self.send_json(200, {"data": vectors(inputs[:-1], dims)})
        elif model == "non-finite":
            body = json.dumps({"data": vectors(inputs, dims)}).replace("1.0", "1e39", 1)
            self.send_json(200, None, raw=body.encode())
        else:
            self.send_json(404, {"error": {"message": "unknown test model %s" % model}})


def exit_when_stdin_closes():
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        os._exit(0)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
