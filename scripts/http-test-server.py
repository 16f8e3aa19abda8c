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
  hold             waits until GET /release?key=FIRST_INPUT (at most 30 s), then like ok
Vectors have "dimensions" components when the request names it, else 4.

POST /v1/chat/completions picks a behaviour from the request's "model" too:
  chat-ok           200; "Paris is the capital of France." with usage 12 + 7
  chat-echo         200; the content is the request body exactly as received
  chat-tools        200; two tool calls (get_weather, get_time), finish_reason tool_calls
  chat-500          500 with an OpenAI error document, every time
  chat-malformed    200 with a truncated JSON body
  chat-stream       SSE: the chat-ok answer in content pieces (events split across
                    writes, a comment, CRLF line ends), a finish chunk, a usage
                    chunk, then data: [DONE]
  chat-stream-tools SSE: the chat-tools calls as interleaved pieces, usage, [DONE]
  chat-stream-flaky 503 the first time a conversation is seen, then like chat-stream
  chat-stream-cut   SSE: two deltas, then the connection closes without [DONE]
  chat-stream-bad   SSE: one delta, then an event that is not JSON
  chat-stream-hang  SSE: one delta, then keep-alive comments for 30 s; when the
                    client goes away, the call is counted under
                    "disconnected:MODEL:LAST_USER_MESSAGE"
  chat-close        like chat-ok, then closes the connection without saying so
                    (no "Connection: close"): a kept-alive connection that broke
  chat-drop         closes the connection without answering, every time
Streaming models answer 400 unless the body has "stream": true and
"stream_options": {"include_usage": true}.

GET /calls?key=MODEL:FIRST_INPUT returns {"calls": n}: how many requests with
that model and first input (for chat: the last user message) arrived (to
count retries).

GET /release?key=INPUT lets the "hold" requests with that first input answer.

GET /stats returns {"connections": n}: how many TCP connections carried at
least one request other than /stats (to check that clients reuse connections;
asking for the figure never changes it).
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
connections = 0
holds = {}


def hold_event(key):
    with lock:
        return holds.setdefault(key, threading.Event())


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
    # TCP_NODELAY, as production servers set it: headers and body go out in
    # two writes, and with Nagle's algorithm the second waits for the client's
    # delayed ACK (40 ms) on every kept-alive request.
    disable_nagle_algorithm = True

    def log_message(self, format, *args):
        pass

    def setup(self):
        super().setup()
        self.counted = False  # one handler per connection: counted at its first request

    def count_connection(self):
        global connections
        if not self.counted:
            self.counted = True
            with lock:
                connections += 1

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
        if url.path == "/stats":
            with lock:
                count = connections
            self.send_json(200, {"connections": count})
            return
        self.count_connection()
        if url.path == "/calls":
            key = parse_qs(url.query).get("key", [""])[0]
            with lock:
                count = calls.get(key, 0)
            self.send_json(200, {"calls": count})
        elif url.path == "/release":
            hold_event(parse_qs(url.query).get("key", [""])[0]).set()
            self.send_json(200, {"released": True})
        else:
            self.send_json(404, {"error": {"message": "no such path"}})

    def do_POST(self):
        self.count_connection()
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        if urlparse(self.path).path == "/v1/chat/completions":
            self.chat(raw)
            return
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
        elif model == "hold":
            hold_event(inputs[0] if inputs else "").wait(30)
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

    # Chat completions.

    def chat(self, raw):
        try:
            request = json.loads(raw)
            model = request["model"]
            messages = request["messages"]
        except (ValueError, KeyError, TypeError) as error:
            self.send_json(400, {"error": {"message": "bad request body: %s" % error}})
            return
        users = [m.get("content") or "" for m in messages if m.get("role") == "user"]
        key = "%s:%s" % (model, users[-1] if users else "")
        with lock:
            calls[key] = calls.get(key, 0) + 1
            count = calls[key]

        if model.startswith("chat-stream"):
            options = request.get("stream_options") or {}
            if request.get("stream") is not True or options.get("include_usage") is not True:
                self.send_json(400, {"error": {"message": "expected stream: true with include_usage"}})
                return

        if model == "chat-ok":
            self.send_json(200, completion(model, {"role": "assistant", "content": ANSWER, "refusal": None}, "stop"))
        elif model == "chat-close":
            self.send_json(200, completion(model, {"role": "assistant", "content": ANSWER, "refusal": None}, "stop"))
            self.close_connection = True
        elif model == "chat-drop":
            self.close_connection = True
        elif model == "chat-echo":
            message = {"role": "assistant", "content": raw.decode()}
            self.send_json(200, completion(model, message, "stop"))
        elif model == "chat-tools":
            message = {"role": "assistant", "content": None, "tool_calls": TOOL_CALLS}
            self.send_json(200, completion(model, message, "tool_calls"))
        elif model == "chat-500":
            self.send_json(500, {"error": {"message": "the chat server is on fire", "type": "server_error"}})
        elif model == "chat-malformed":
            self.send_json(200, None, raw=b'{"id": "chatcmpl-1", "choices": [{"index": 0, "message": {"role"')
        elif model == "chat-stream":
            self.stream_answer(model)
        elif model == "chat-stream-flaky":
            if count == 1:
                self.send_json(503, {"error": {"message": "overloaded, try again"}}, {"Retry-After": "0"})
            else:
                self.stream_answer(model)
        elif model == "chat-stream-tools":
            self.start_events()
            first = [dict(index=i, id=c["id"], type="function",
                          function={"name": c["function"]["name"], "arguments": ""})
                     for i, c in enumerate(TOOL_CALLS)]
            self.event(chunk(model, {"role": "assistant", "content": None, "tool_calls": first}))
            pieces = [split_three(c["function"]["arguments"]) for c in TOOL_CALLS]
            for part in range(3):
                for i in range(len(TOOL_CALLS)):  # interleaved: call 0, call 1, call 0...
                    delta = {"tool_calls": [{"index": i, "function": {"arguments": pieces[i][part]}}]}
                    self.event(chunk(model, delta))
            self.event(chunk(model, {}, "tool_calls"))
            self.event(usage_chunk(model))
            self.event_text("data: [DONE]\n\n")
            self.end_events()
        elif model == "chat-stream-cut":
            self.start_events()
            self.event(chunk(model, {"role": "assistant", "content": ""}))
            self.event(chunk(model, {"content": "Paris"}))
            self.close_connection = True  # no terminating chunk, no [DONE]
        elif model == "chat-stream-bad":
            self.start_events()
            self.event(chunk(model, {"role": "assistant", "content": "Paris"}))
            self.event_text("data: {this is not json}\n\n")
            self.event_text("data: [DONE]\n\n")
            self.end_events()
        elif model == "chat-stream-hang":
            self.start_events()
            self.event(chunk(model, {"role": "assistant", "content": "Paris"}))
            try:
                for _ in range(600):
                    time.sleep(0.05)
                    self.event_text(": keep-alive\n\n")
            except OSError:
                with lock:
                    name = "disconnected:" + key
                    calls[name] = calls.get(name, 0) + 1
                self.close_connection = True
                return
            self.event_text("data: [DONE]\n\n")
            self.end_events()
        else:
            self.send_json(404, {"error": {"message": "unknown test model %s" % model}})

    def stream_answer(self, model):
        self.start_events()
        self.event(chunk(model, {"role": "assistant", "content": ""}))
        # One event split over two writes, mid-line.
        text = "data: " + json.dumps(chunk(model, {"content": ANSWER_PIECES[0]})) + "\n\n"
        self.event_text(text[:17])
        self.event_text(text[17:])
        self.event_text(": a comment line, ignored\n\n")
        # CRLF line ends are allowed too.
        self.event_text("data: " + json.dumps(chunk(model, {"content": ANSWER_PIECES[1]})) + "\r\n\r\n")
        for piece in ANSWER_PIECES[2:]:
            self.event(chunk(model, {"content": piece}))
        self.event(chunk(model, {}, "stop"))
        self.event(usage_chunk(model))
        self.event_text("data: [DONE]\n\n")
        self.end_events()

    def start_events(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def event(self, document):
        self.event_text("data: " + json.dumps(document) + "\n\n")

    def event_text(self, text):
        data = text.encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def end_events(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


ANSWER = "Paris is the capital of France."
ANSWER_PIECES = ["Paris", " is", " the capital", " of France."]
USAGE = {"prompt_tokens": 12, "completion_tokens": 7, "total_tokens": 19}
TOOL_CALLS = [
    {"id": "call_weather", "type": "function",
     "function": {"name": "get_weather", "arguments": '{"city": "Paris", "unit": "celsius"}'}},
    {"id": "call_time", "type": "function",
     "function": {"name": "get_time", "arguments": '{"timezone": "Europe/Paris"}'}},
]


def completion(model, message, finish_reason):
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "created": 1700000000, "model": model,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}],
        "usage": USAGE, "system_fingerprint": "fp_test",
    }


def chunk(model, delta, finish_reason=None):
    return {
        "id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 1700000000, "model": model,
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
        "usage": None,
    }


def usage_chunk(model):
    return {
        "id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 1700000000, "model": model,
        "choices": [], "usage": USAGE,
    }


def split_three(text):
    third = len(text) // 3
    return [text[:third], text[third:2 * third], text[2 * third:]]


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
