"""channels_redis 4.0 doing the same work as bench/Switchyard.Redis.Benchmarks on the same redis-server.

Run with Debian's system Python (the Debian packages python3-channels-redis and python3-django-channels):
    /usr/bin/python3 bench/redis/channels_redis_bench.py 127.0.0.1:6379 5
"""
import asyncio
import os
import sys
import time

from channels_redis.core import RedisChannelLayer


async def main(server: str, seconds: float) -> None:
    host, port = server.rsplit(":", 1)
    layer = RedisChannelLayer(hosts=[(host, int(port))], prefix=f"crbench{os.getpid()}", capacity=100_000)
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


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:6379", float(sys.argv[2]) if len(sys.argv) > 2 else 5))
