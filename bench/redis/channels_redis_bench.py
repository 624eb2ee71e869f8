"""channels_redis 4.0 doing the same work as bench/Switchyard.Redis.Benchmarks on the same redis-server.

Run with Debian's system Python (the Debian packages python3-channels-redis and python3-django-channels):
    /usr/bin/python3 bench/redis/channels_redis_bench.py 127.0.0.1:6379 5
    /usr/bin/python3 bench/redis/channels_redis_bench.py member <host:port> <prefix> <group> <members>
        (a receiving process of "group over 4": started by the script itself, one OS process each)

Prints one line per scenario, tab-separated: work, rate, unit (the same lines as the C# benchmark).
"""
import asyncio
import os
import subprocess
import sys
import time

from channels_redis.core import RedisChannelLayer


async def main(server: str, seconds: float) -> None:
    layer = connect(server, f"crbench{os.getpid()}")
    message = {"type": "bench.tick", "pad": "x" * 64}

    for _ in range(2000):
        await layer.send("bench.warm", message)
        await layer.receive("bench.warm")

    round_trips = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        await layer.send("bench.rt", message)
        await layer.receive("bench.rt")
        round_trips += 1
    print(f"send+receive\t{round_trips / (time.perf_counter() - start):.1f}\tround trips/s")

    ping = await layer.new_channel("bench")
    pong = await layer.new_channel("bench")

    async def echo() -> None:
        while True:
            await layer.send(pong, await layer.receive(ping))

    echoing = asyncio.ensure_future(echo())
    bounces = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        await layer.send(ping, message)
        await layer.receive(pong)
        bounces += 1
    print(f"ping-pong\t{bounces / (time.perf_counter() - start):.1f}\tround trips/s")
    echoing.cancel()
    try:
        await echoing
    except asyncio.CancelledError:
        pass

    for members in (100, 1000):
        group = f"bench.group{members}"
        for _ in range(members):
            await layer.group_add(group, await layer.new_channel(f"members{members}"))
        sends = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            await layer.group_send(group, message)
            sends += 1
        rate = sends / (time.perf_counter() - start)
        print(f"group send {members}\t{rate:.1f}\tgroup sends/s\t{rate * members:.0f}\tdeliveries/s")
        await layer.flush()

    await group_over_processes(layer, server, layer.prefix, message, processes=4, members_each=250, seconds=seconds)


def connect(server: str, prefix: str) -> RedisChannelLayer:
    host, port = server.rsplit(":", 1)
    # Capacity: the send-only scenarios have nobody receiving, and a receiving process's channels share one sorted
    # set per process (channels_redis stores a group message once per process): nothing may be dropped as full.
    return RedisChannelLayer(hosts=[(host, int(port))], prefix=prefix, capacity=100_000)


async def group_over_processes(layer, server, prefix, message, processes, members_each, seconds) -> None:
    """The C# benchmark's "group over 4": 1,000 members, 250 in each of 4 receiving OS processes (this script started
    again in "member" mode), every message received by every member. This process sends to the group for the given
    time, then a stop message; the clock runs until every process has received everything: deliveries per second."""
    group = "bench.spread"
    children = [
        subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "member", server, prefix, group, str(members_each)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    try:
        for child in children:
            if child.stdout.readline().strip() != "ready":
                raise RuntimeError("A member process did not start.")
        pids = {child.pid for child in children}
        if len(pids) != processes or os.getpid() in pids:
            raise RuntimeError(f"Expected {processes} member processes besides this one, got {sorted(pids)}.")

        sends = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            await layer.group_send(group, message)
            sends += 1
        await layer.group_send(group, {"type": "bench.stop"})
        # The children's counts arrive when each has received everything; read them without blocking the loop.
        loop = asyncio.get_running_loop()
        received = 0
        for child in children:
            received += int(await loop.run_in_executor(None, child.stdout.readline))
        elapsed = time.perf_counter() - start
        expected = sends * processes * members_each
        if received != expected:
            raise RuntimeError(f"{received} of {expected} deliveries arrived.")
        print(
            f"group over {processes}\t{received / elapsed:.1f}\tdeliveries/s\t{sends / elapsed:.1f}\t"
            f"group sends/s to {processes * members_each} members in {processes} processes, every one received"
        )
    finally:
        for child in children:
            try:
                child.wait(timeout=60)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        await layer.flush()


async def member(server: str, prefix: str, group: str, members: int) -> None:
    """A receiving process: joins `members` channels of its own to the group, one receive loop each, until "bench.stop";
    prints "ready" when every channel is in the group, then the number of messages received (stop messages aside)."""
    layer = connect(server, prefix)
    channels = [await layer.new_channel("bench") for _ in range(members)]
    for channel in channels:
        await layer.group_add(group, channel)
    received = 0

    async def receive_until_stop(channel: str) -> None:
        nonlocal received
        while (await layer.receive(channel))["type"] != "bench.stop":
            received += 1

    receivers = [asyncio.ensure_future(receive_until_stop(channel)) for channel in channels]
    print("ready", flush=True)
    await asyncio.gather(*receivers)
    print(received, flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "member":
        asyncio.run(member(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])))
    else:
        asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:6379", float(sys.argv[2]) if len(sys.argv) > 2 else 5))
