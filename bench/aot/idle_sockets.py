"""Opens N WebSockets to a live-blog page, keeps them idle, and prints when they are all open.

Run with Debian's system Python (python3-websockets): /usr/bin/python3 idle_sockets.py PORT N
"""
import asyncio
import sys

import websockets


async def main(port: int, count: int) -> None:
    sockets = []
    for i in range(count):
        sockets.append(await websockets.connect(
            f"ws://127.0.0.1:{port}/ws/liveblog/launch-day/?after=0", origin=f"http://127.0.0.1:{port}",
            ping_interval=None, max_queue=1))
    print(f"open {len(sockets)}", flush=True)
    # Hold them until stdin closes (the script that started us has measured).
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    for socket in sockets:
        await socket.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
