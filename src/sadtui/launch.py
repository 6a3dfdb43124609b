"""The `sadtui` command's entry point: as small as it can be, so that Ctrl-C while
the rest is still being imported ends quietly (exit 130) instead of with a traceback."""

from __future__ import annotations


def main() -> int:
    try:
        from sadtui.cli.main import main as cli_main
    except KeyboardInterrupt:
        return 130
    return cli_main()
