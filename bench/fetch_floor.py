"""The floor for `sadtui download --all` in Python: a bare script fetching the same URLs
with urllib3, three at a time, each into a file (`bench/run.py` runs it as a process).

Usage: fetch_floor.py OUTDIR URL..."""

import os
import sys
from concurrent.futures import ThreadPoolExecutor

import urllib3


def main() -> None:
    out, urls = sys.argv[1], sys.argv[2:]
    pool = urllib3.PoolManager(maxsize=3, retries=False, timeout=urllib3.Timeout(connect=10, read=10))

    def get(item: tuple[int, str]) -> None:
        n, url = item
        response = pool.request("GET", url, preload_content=False)
        with open(os.path.join(out, f"{n}.part"), "wb") as fh:
            for chunk in response.stream(256 * 1024):
                fh.write(chunk)
        response.release_conn()
        os.replace(os.path.join(out, f"{n}.part"), os.path.join(out, f"{n}.wav"))

    with ThreadPoolExecutor(3) as workers:
        list(workers.map(get, enumerate(urls, 1)))


if __name__ == "__main__":
    main()
