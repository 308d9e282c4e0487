#!/usr/bin/env python3
"""The HTTP services of the orders example (docs/reactors.md), on
127.0.0.1:8099: exchange rates (every 4th request fails with 503, JPY
always does), inventory holds (sku-none is out of stock: 409), their
confirmation (over 50.00: 402) and release. Python's standard library
only. Logs every request on stderr.
"""
import itertools
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RATES = {"EUR": 1.08, "USD": 1.0, "GBP": 1.27}
counter = itertools.count(1)
holds = itertools.count(1)


class Handler(BaseHTTPRequestHandler):
    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.startswith("/fx/"):
            currency = self.path[4:]
            if currency not in RATES or next(counter) % 4 == 0:
                return self.answer(503, {"error": "try again"})
            return self.answer(200, {"rate": RATES[currency]})
        self.answer(404, {"error": "no such path"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        if self.path == "/reserve":
            if body.get("sku") == "sku-none":
                return self.answer(409, {"error": "out of stock"})
            return self.answer(200, {"id": "hold-%d" % next(holds)})
        if self.path == "/confirm":
            if body.get("amount", 0) > 50:
                return self.answer(402, {"error": "over the limit"})
            return self.answer(200, {"id": body.get("hold")})
        if self.path == "/release":
            return self.answer(200, {})
        self.answer(404, {"error": "no such path"})


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", 8099), Handler).serve_forever()
