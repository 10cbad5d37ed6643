"""`cockpit`: the console script. Kept tiny: hooks run on every tool call and must start fast."""

import sys


def main(argv: list[str] | None = None) -> int:
    raw = sys.argv[1:] if argv is None else argv
    if raw[:1] == ["hook"]:
        from cockpit.hooks.run import main as hook_main

        return hook_main(raw[1:])
    if raw[:1] == ["statusline"]:
        from cockpit.hooks.statusline import main as statusline_main

        return statusline_main(raw[1:])
    if raw[:2] == ["gate", "pre-commit"]:
        from cockpit.cli.gate import pre_commit_main

        return pre_commit_main(raw[2:])
    from cockpit.cli.commands import run

    return run(raw)


if __name__ == "__main__":
    sys.exit(main())
