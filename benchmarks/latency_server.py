"""A loopback JSON API that answers every POST after a fixed latency: the tool under test for
`benchmarks/scaling.py`. Not a test. Run

    .venv/bin/python benchmarks/latency_server.py --latency 0.1 [--port 0]

It prints the port it listens on (127.0.0.1), then serves until killed. Each reply is
`{"output": "Summary of case ID. ..."}` for the request's `{"id": ID}`. It is plain asyncio (HTTP/1.1,
keep-alive), in its own process, so that it costs the runner under test as little as possible.
"""

from __future__ import annotations

import argparse
import asyncio
import json


async def _serve_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, latency: float) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            body = json.loads(await reader.readexactly(length)) if length else {}
            await asyncio.sleep(latency)
            payload = json.dumps({"output": f"Summary of case {body.get('id', '?')}. The adult was seen at home."}).encode()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(payload), payload))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, ValueError):
        pass
    finally:
        writer.close()


async def serve(latency: float, port: int) -> None:
    """Listen on 127.0.0.1:`port` (0: any free port), print the port, serve forever."""
    server = await asyncio.start_server(lambda r, w: _serve_connection(r, w, latency), "127.0.0.1", port, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.1, help="seconds before each reply")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    asyncio.run(serve(args.latency, args.port))


if __name__ == "__main__":
    main()
