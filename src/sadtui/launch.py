"""The `sadtui` command's entry point: as small as it can be, so that Ctrl-C while
the rest is still being imported ends quietly (exit 130) instead of with a traceback.

It also runs start-up without Python's cyclic garbage collector (:mod:`sadtui.gcpause`):
see that module for why and for what the figures were.
"""

from __future__ import annotations

from sadtui import gcpause
from sadtui.cli.common import EXIT_INTERRUPTED


def main() -> int:
    try:
        gcpause.pause()
        try:
            from sadtui.cli.main import main as cli_main

            return cli_main()
        finally:
            gcpause.resume()
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
