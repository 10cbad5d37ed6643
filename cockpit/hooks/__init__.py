"""Entry points the agents and git run: short-lived processes, stdlib and plain sqlite3 only."""


def pop_option(args: list[str], flag: str) -> str | None:
    """Remove `flag VALUE` from `args` and return VALUE (None when absent). No argparse: start-up time counts."""
    if flag not in args:
        return None
    at = args.index(flag)
    value = args[at + 1] if at + 1 < len(args) else None
    del args[at : at + 2]
    return value
