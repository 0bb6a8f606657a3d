#!/usr/bin/env python3
# smtperr — SMTP error mapping for mail clients.
# Distributed under the Boost Software License, Version 1.0.
"""A TCP proxy on loopback that delays every server-to-client chunk by a fixed time.

Used by run.sh to put a round-trip time on the path between an SMTP client and smtp-sink
when netem is not available: client-to-server bytes pass at once, server-to-client bytes
leave `--delay-ms` after they arrived (in order; a chunk never waits for the one before it
longer than that), so every round trip costs the delay. For each connection it appends one
JSON line to `--stats`: how many chunks (reads) and bytes came from the client, which is the
number of client write groups when each group waits for a reply.

    delay_proxy.py --listen PORT --target PORT --delay-ms 20 --stats FILE
"""

import argparse
import asyncio
import collections
import json
import time


async def pump_client(reader, writer, stats):
    """Client to server, at once; counts the chunks."""
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            stats["client_chunks"] += 1
            stats["client_bytes"] += len(data)
            writer.write(data)
            await writer.drain()
    finally:
        if writer.can_write_eof():
            writer.write_eof()


async def pump_server(reader, writer, delay, stats):
    """Server to client, each chunk `delay` seconds after it arrived."""
    queue = collections.deque()
    arrived = asyncio.Event()
    done = False

    async def sender():
        while True:
            while not queue:
                if done:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                arrived.clear()
                await arrived.wait()
            due, data = queue.popleft()
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()

    task = asyncio.create_task(sender())
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            stats["server_chunks"] += 1
            queue.append((time.monotonic() + delay, data))
            arrived.set()
    finally:
        done = True
        arrived.set()
        await task


async def handle(client_reader, client_writer, args):
    stats = {"client_chunks": 0, "client_bytes": 0, "server_chunks": 0}
    start = time.monotonic()
    server_reader, server_writer = await asyncio.open_connection("127.0.0.1", args.target)
    try:
        await asyncio.gather(
            pump_client(client_reader, server_writer, stats),
            pump_server(server_reader, client_writer, args.delay_ms / 1000.0, stats),
            return_exceptions=True,
        )
    finally:
        client_writer.close()
        server_writer.close()
        stats["seconds"] = round(time.monotonic() - start, 4)
        with open(args.stats, "a", encoding="utf-8") as f:
            f.write(json.dumps(stats) + "\n")


async def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--listen", type=int, required=True)
    p.add_argument("--target", type=int, required=True)
    p.add_argument("--delay-ms", type=float, default=20.0)
    p.add_argument("--stats", required=True)
    args = p.parse_args()
    server = await asyncio.start_server(
        lambda r, w: handle(r, w, args), "127.0.0.1", args.listen
    )
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
