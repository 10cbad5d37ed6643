"""`cockpit trust`: say yes to exactly this gate configuration of a repository (like `direnv allow`).

A repository's gates are commands cockpit would run as you, and the agent can write them. Until
`cockpit trust` records the configuration's fingerprint (core.trust says what is hashed), no gate
command runs by itself, `r` asks first, and `cockpit gate pre-commit` blocks.
"""

from __future__ import annotations

import argparse
import shlex
from typing import Any

from cockpit.cli.terminal import out, out_json, whole
from cockpit.core.gate_rules import GateConfig, GateKind
from cockpit.core.text import exact_line, one_line
from cockpit.core.trust_rules import source_label, spec_json


def describe(root: str, config: GateConfig, trusted: Any) -> dict[str, Any]:
    return {"repo": root, "source": config.source, "sha256": config.fingerprint,
            "covers": list(config.inputs),
            "trusted": trusted is not None, "trusted_at": trusted.trusted_at if trusted else None,
            "trusted_by": trusted.trusted_by if trusted else None,
            "errors": list(config.errors), "gates": [spec_json(g) for g in config.gates]}


def render(info: dict[str, Any]) -> str:
    """Everything a yes covers; text from the repository is shown exactly, its control sequences as escapes."""
    lines = [f"repo     {exact_line(info['repo'])}",
             f"source   {exact_line(source_label(info['source']))}",
             f"sha256   {info['sha256']}",
             f"covers   {exact_line(', '.join(info['covers']))}",
             "state    " + (f"trusted at {info['trusted_at']} by {exact_line(info['trusted_by'])}"
                            if info["trusted"] else "NOT trusted")]
    lines += [f"  ! {one_line(e, 300)}" for e in info["errors"]]
    commands = [g for g in info["gates"] if g["kind"] == GateKind.COMMAND.value]
    lines.append(f"gates    {len(info['gates'])} ({len(commands)} command{'s' if len(commands) != 1 else ''},"
                 " each run by /bin/sh as you in the repository)")
    for gate in info["gates"]:
        flags = ",".join(f for f in ("required", "auto") if gate[f])
        head = f"  {exact_line(gate['name']):<14} {flags:<14}"
        if gate["kind"] == GateKind.COMMAND.value:
            lines.append(f"{head} cwd {exact_line(gate['cwd'])}  timeout {gate['timeout']:g} s")
            lines.append(f"      $ {exact_line(gate['command'])}")
        else:
            lines.append(f"{head} verdict of .agents/council/*-{exact_line(gate['report'])}-*.md")
    return "\n".join(lines) + "\n"


def cmd_trust(args: argparse.Namespace) -> int:
    from cockpit.cli.gate import _open, _repo
    from cockpit.config.gates import load_gate_config
    from cockpit.sources.git import repo_root
    from cockpit.store.trust_records import find_trust, repo_key, revoke_trust, trust_config, who

    root, error = repo_root(_repo(args))
    if not root:
        out(f"cockpit trust: {whole(error)}", err=True)
        return 1
    conn = _open(args)
    root = repo_key(root)
    if args.revoke:
        count = revoke_trust(conn, root)
        if args.json:
            out_json({"repo": root, "revoked": count}, indent=None)
        else:
            out(f"revoked {count} trusted gate configuration{'s' if count != 1 else ''} of {exact_line(root)}"
                if count else f"nothing was trusted for {exact_line(root)}")
        return 0
    config = load_gate_config(root)
    record = find_trust(conn, root, config.fingerprint)
    if not args.show:
        expected = getattr(args, "expect_sha256", None)
        if expected and expected != config.fingerprint:
            out(f"cockpit trust: the configuration changed: its sha256 is now {config.fingerprint}, not"
                f" {expected}; nothing was trusted (run cockpit trust --show again)", err=True)
            return 1
        record = trust_config(conn, root, config, who("cockpit trust"))
    info = describe(root, config, record)
    if args.json:
        out_json(info)
        return 0
    out(render(info), end="")
    if args.show and not info["trusted"]:
        flag = f" --repo {shlex.quote(_repo(args))}" if _repo(args) != "." else ""
        out(f"trust exactly this with: cockpit trust{flag} --sha256 {config.fingerprint}")
    elif not args.show:
        out("trusted: these gates may now run (auto gates when the tree changes); a changed configuration"
            " is untrusted again")
    return 0
