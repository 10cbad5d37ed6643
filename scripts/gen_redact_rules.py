"""Generate cockpit/core/redact_rules.py from gitleaks' rule file (config/gitleaks.toml, MIT licence).

    .venv/bin/python scripts/gen_redact_rules.py PATH/TO/gitleaks.toml [--commit SHA] [--out FILE]

For each gitleaks rule: its id, its regex translated from Go RE2 syntax to Python `re` syntax, its
keywords (the cheap pre-filter: the regex only runs when one of them occurs in the lower-cased text),
its secret group, its entropy threshold and its allowlist. RE2 runs in linear time; Python's `re`
backtracks, so a rule whose translated regex nests a variable-length quantifier inside a repeated one
(one of them unbounded) is dropped, and so is a rule that needs what cockpit does not have (a file
path) or that cockpit's own rules replace. The generated file lists every dropped rule and why.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import tomllib
import warnings
from pathlib import Path
from re import _constants as sre_c  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "cockpit" / "core" / "redact_rules.py"
LICENSE = OUT.with_name("GITLEAKS_LICENSE")  # gitleaks' MIT notice, copied into the generated file too

# Rules cockpit replaces by its own, with the reason written into the generated file.
SUPERSEDED = {
    "generic-api-key": "replaced by cockpit's env-value and high-entropy rules, which know code from literals "
                       "(`token = os.environ[...]`, `api_key=api_key`) and keep the key of the assignment",
}

POSIX = {"alnum": "a-zA-Z0-9", "alpha": "a-zA-Z", "digit": "0-9", "xdigit": "0-9A-Fa-f", "lower": "a-z",
         "upper": "A-Z", "space": r"\t\n\v\f\r ", "blank": r" \t", "word": "0-9A-Za-z_",
         "punct": r"!-/:-@\[-`{-~", "cntrl": r"\x00-\x1f\x7f", "print": r" -~", "graph": "!-~"}

# A context prefix gitleaks puts before the keyword so a finding shows the variable name; the secret is a
# later group, so it is dropped: the match then starts at the keyword and the regex does far less work.
_CONTEXT = re.compile(r"^((?:\(\?i\))?)\[\\w\.-\]\{0,50\}\?(\(\?i:)?(?:\[\\w\.-\]\{0,50\}\?)?")


# Most rules end a secret at a quote, blank, `;`, an escaped newline or the end. cockpit also ends it at
# sentence and path punctuation, so a token ending a sentence, in a URL or in a file name
# (`notes-npm_….md`) is still found.
_END = r"""(?:[\x60'"\s;]|\\[nr]|$)"""
_END_WIDER = r"""(?:[\x60'"\s;.,:!?)\]}>/|&<]|\\[nr]|$)"""


class Untranslatable(ValueError):
    """A Go regex construct without a Python equivalent."""


# --- Go RE2 -> Python re ----------------------------------------------------------------------------------

def _class(go: str, i: int) -> tuple[str, int]:
    """Translate the bracket expression starting at go[i] == '['; return (python text, index after it)."""
    out = ["["]
    i += 1
    if go.startswith("^", i):
        out.append("^")
        i += 1
    first = True
    while i < len(go):
        c = go[i]
        if c == "]" and not first:
            out.append("]")
            return "".join(out), i + 1
        first = False
        if c == "\\":
            esc = go[i:i + 2]
            if esc[1:] in ("p", "P", "Q", "E", "C"):
                raise Untranslatable(f"escape {esc} in a class")
            out.append(esc)
            i += 2
        elif go.startswith("[:", i):
            end = go.find(":]", i + 2)
            name = go[i + 2:end] if end > 0 else ""
            if name not in POSIX:
                raise Untranslatable(f"POSIX class [:{name}:]")
            out.append(POSIX[name])
            i = end + 2
        elif c in "[&~|":
            out.append("\\" + c)  # literal in RE2; Python warns about set operations
            i += 1
        else:
            out.append(c)
            i += 1
    raise Untranslatable("unterminated class")


def _tokens(go: str) -> list[tuple[str, str]]:
    """(kind, text): kinds atom, open (text = the Python opening), close, alt, flags (text = the flags)."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(go):
        c = go[i]
        if c == "\\":
            esc = go[i:i + 2]
            if esc == r"\z":
                out.append(("atom", r"\Z"))
            elif esc[1:] in ("p", "P", "Q", "E", "C"):
                raise Untranslatable(f"escape {esc}")
            elif esc == r"\x" and go.startswith("{", i + 2):
                end = go.index("}", i)
                code = int(go[i + 3:end], 16)
                out.append(("atom", f"\\x{code:02x}" if code < 0x100 else f"\\U{code:08x}"))
                i = end + 1
                continue
            else:
                out.append(("atom", esc))
            i += 2
        elif c == "[":
            text, i = _class(go, i)
            out.append(("atom", text))
        elif c == "(":
            if not go.startswith("(?", i):
                out.append(("open", "("))
                i += 1
                continue
            if m := re.match(r"\(\?([imsU-]*)\)", go[i:]):
                if "U" in m.group(1):
                    raise Untranslatable("ungreedy flag U")
                out.append(("flags", m.group(1)))
            elif m := re.match(r"\(\?([imsU-]*):", go[i:]):
                if "U" in m.group(1):
                    raise Untranslatable("ungreedy flag U")
                out.append(("open", m.group(0)))
            elif m := re.match(r"\(\?P?<(\w+)>", go[i:]):
                # Named groups only label parts of a token (jwt-base64's header fields): not the secret.
                out.append(("open", "(?:"))
            else:
                raise Untranslatable(f"group syntax {go[i:i + 6]!r}")
            i += len(m.group(0))
        elif c == ")":
            out.append(("close", ")"))
            i += 1
        elif c == "|":
            out.append(("alt", "|"))
            i += 1
        else:
            out.append(("atom", c))
            i += 1
    return out


def _group(tokens: list[tuple[str, str]], i: int) -> tuple[list[list[Any]], int]:
    """Branches of the group whose content starts at tokens[i]; items are str, flags tuples or subgroups."""
    branches: list[list[Any]] = [[]]
    while i < len(tokens):
        kind, text = tokens[i]
        if kind == "close":
            return branches, i + 1
        if kind == "alt":
            branches.append([])
        elif kind == "flags":
            branches[-1].append(("flags", text))
        elif kind == "open":
            sub, i = _group(tokens, i + 1)
            branches[-1].append((text, sub))
            continue
        else:
            branches[-1].append(text)
        i += 1
    return branches, i


def _emit_items(items: list[Any]) -> str:
    out = []
    for k, item in enumerate(items):
        if isinstance(item, str):
            out.append(item)
        elif item[0] == "flags":
            # RE2: a bare (?i) holds to the end of the enclosing group; Python wants it scoped.
            return "".join(out) + f"(?{item[1]}:" + _emit_items(items[k + 1:]) + ")"
        else:
            out.append(item[0] + _emit_group(item[1]) + ")")
    return "".join(out)


def _emit_group(branches: list[list[Any]]) -> str:
    out = []
    carried: list[str] = []  # flags set by an earlier branch also hold in the later ones (RE2 parser state)
    for branch in branches:
        text = _emit_items(branch)
        for flags in reversed(carried):
            text = f"(?{flags}:{text})"
        out.append(text)
        carried += [item[1] for item in branch if isinstance(item, tuple) and item[0] == "flags"]
    return "|".join(out)


def translate(go: str) -> str:
    """A Go RE2 regex as the Python regex that matches the same strings (compiled with re.ASCII)."""
    tokens = _tokens(go)
    branches, end = _group(tokens, 0)
    if end != len(tokens):
        raise Untranslatable("unbalanced parentheses")
    return _emit_group(branches)


# --- linear-time check -------------------------------------------------------------------------------------

def _repeats(items: Any) -> list[tuple[int, int, Any]]:
    """Every repeat node (min, max, body) directly or indirectly inside `items`, outermost first."""
    found: list[tuple[int, int, Any]] = []
    for op, av in items:
        if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", None)):
            found.append(av)
        elif op is sre_c.SUBPATTERN:
            found += _repeats(av[3])
        elif op is sre_c.BRANCH:
            for branch in av[1]:
                found += _repeats(branch)
        elif op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
            found += _repeats(av[1])
    return found


def backtracking_risk(pattern: str) -> str:
    """Why `pattern` may take super-linear time in Python's re, or "" when it cannot.

    Each repeat may hold a variable-length repeat inside only when both are bounded: then the work per start
    position is a constant. A repeated group holding a variable repeat with either side unbounded (`(a+)+`,
    `(?:.*?\\n){1,5}`) can backtrack polynomially or exponentially; RE2 never does, Python does.
    """
    def walk(items: Any) -> str:
        for _, hi, body in _repeats(items):
            outer_unbounded = hi == sre_c.MAXREPEAT
            for ilo, ihi, _ in _repeats(body):
                if ihi != ilo and hi > 1 and (outer_unbounded or ihi == sre_c.MAXREPEAT):
                    return "nested quantifiers (a variable-length repeat inside a repeat, one of them unbounded)"
            if why := walk(body):
                return why
        return ""
    parsed = sre_parse.parse(pattern, re.ASCII)
    first = next(((op, av) for op, av in parsed if op is not sre_c.AT), None)
    if first is not None and first[0] in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT) and first[1][1] == sre_c.MAXREPEAT:
        return "starts with an unbounded repeat: quadratic on a long run of its characters"
    return walk(parsed)


# --- anchors: the literal text every match starts with ---------------------------------------------------

MAX_ANCHORS = 32


def _prefixes(items: Any, current: set[str]) -> tuple[set[str], bool]:
    """`current` extended by the literal text at the start of `items`; True when `items` were literal to the end.
    Where the next element would make more than MAX_ANCHORS strings, the strings so far are kept."""
    items = list(items)
    for k, (op, av) in enumerate(items):
        before = current
        if op in (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT):  # zero width: says nothing about the first characters
            continue
        if op is sre_c.LITERAL:
            current = {p + chr(av).lower() for p in current}
        elif op is sre_c.IN and len(av) <= 4 and all(o is sre_c.LITERAL for o, _ in av):  # [Mm], [sr]
            current = {p + chr(c).lower() for p in current for _, c in av}
        elif op is sre_c.SUBPATTERN:
            current, complete = _prefixes(av[3], current)
            if not complete:
                return (current if len(current) <= MAX_ANCHORS else before), False
        elif op is sre_c.BRANCH:
            results = [_prefixes(branch, current) for branch in av[1]]
            current = set().union(*(found for found, _ in results))
            if len(current) > MAX_ANCHORS:
                return before, False
            if not all(complete for _, complete in results):
                return current, False
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT) and av[:2] == (0, 1):  # `(?:https?://)?hooks`
            taken, complete = _prefixes(av[2], current)
            with_it, done_with = _prefixes(items[k + 1:], taken) if complete else (taken, False)
            without, done_without = _prefixes(items[k + 1:], current)
            found = with_it | without
            return (found, done_with and done_without) if len(found) <= MAX_ANCHORS else (before, False)
        else:
            return current, False
        if len(current) > MAX_ANCHORS:
            return before, False
    return current, True


def anchors(pattern: str) -> tuple[str, ...]:
    """Lower-case strings one of which begins every match (compared case-insensitively), or () when the
    pattern has no such start of at least two characters: then the whole text is scanned."""
    found, _ = _prefixes(sre_parse.parse(pattern, re.ASCII), {""})
    if not found or len(found) > MAX_ANCHORS or min(map(len, found)) < 2:
        return ()
    return tuple(sorted(found))


# --- the rule table ---------------------------------------------------------------------------------------

def _literal(text: str) -> str:
    """The most readable Python literal for `text` (a raw string when one can hold it)."""
    for quote in ('"', "'", '"""', "'''"):
        candidate = f"r{quote}{text}{quote}"
        try:
            if ast.literal_eval(candidate) == text:
                return candidate
        except (SyntaxError, ValueError):
            continue
    return repr(text)


def _compile(pattern: str) -> re.Pattern[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return re.compile(pattern, re.ASCII)


def port_rule(rule: dict[str, Any]) -> tuple[tuple[Any, ...] | None, str]:
    """(table row, "") for a ported rule, (None, reason) for a dropped one."""
    rid = rule["id"]
    if rid in SUPERSEDED:
        return None, SUPERSEDED[rid]
    if "regex" not in rule:
        return None, "matches a file path only (binary key stores); cockpit redacts text"
    if "path" in rule:
        return None, f"applies only to files whose path matches {rule['path']!r}; redacted text has no path"
    try:
        pattern = translate(_CONTEXT.sub(r"\1\2", rule["regex"]).replace(_END, _END_WIDER))
        compiled = _compile(pattern)
    except (Untranslatable, re.error, FutureWarning, DeprecationWarning) as exc:
        return None, f"regex not translatable to Python: {exc}"
    if risk := backtracking_risk(pattern):
        return None, risk
    group = int(rule.get("secretGroup", 0))
    if group > compiled.groups:
        return None, f"secretGroup {group} but the regex has {compiled.groups} groups"
    allow: list[str] = []
    stopwords: list[str] = []
    for entry in rule.get("allowlists", []):
        if entry.get("regexTarget", "secret") != "secret" or entry.get("condition") == "AND":
            return None, "allowlist on the whole line or match, or an AND condition with paths: not ported"
        for regex in entry.get("regexes", []):
            python = translate(regex)
            _compile(python)
            allow.append(python)
        stopwords += [w.lower() for w in entry.get("stopwords", [])]
        # Path-only allowlists (a vendored README) do not apply to text without a path.
    keywords = tuple(dict.fromkeys(k.lower() for k in rule.get("keywords", [])))
    if not keywords:
        return None, "no keywords: the regex would run on every text"
    return (rid, pattern, anchors(pattern), keywords, group, float(rule.get("entropy", 0.0)), tuple(allow),
            tuple(stopwords)), ""


def render(config: dict[str, Any], commit: str, source: str) -> tuple[str, int, int]:
    """(module text, rules ported, rules dropped)."""
    rows: list[tuple[Any, ...]] = []
    dropped: list[tuple[str, str]] = []
    for rule in config.get("rules", []):
        row, why = port_rule(rule)
        if row is None:
            dropped.append((rule["id"], why))
        else:
            rows.append(row)
    allow = config.get("allowlist", {})
    global_regexes = [translate(r) for r in allow.get("regexes", [])]
    for regex in global_regexes:
        _compile(regex)
    lines = [
        'r"""Secret rules ported from gitleaks\' default configuration (config/gitleaks.toml).',
        "",
        "GENERATED FILE, do not edit: scripts/gen_redact_rules.py wrote it from gitleaks"
        + (f" commit {commit}" if commit else "") + ".",
        "The rule data is Copyright (c) 2019 Zachary Rice, MIT licence: see cockpit/core/GITLEAKS_LICENSE.",
        f"{len(rows)} of {len(rows) + len(dropped)} rules ported; DROPPED says which were not, and why.",
        "",
        "Each rule: (id, Python regex compiled with re.ASCII, anchors: lower-case strings one of which begins every",
        "match (empty: scan the whole text), lower-case keywords (gitleaks' pre-filter: the rule runs only when one",
        "occurs in the lower-cased text), secret group (0: the first non-empty group, else the whole match, as",
        "gitleaks does), minimum Shannon entropy of the secret (0: none), allowlist regexes searched in the secret,",
        "stopwords that keep a secret containing one).",
        "",
        "Translated from Go RE2: a bare (?i) scoped to the rest of its group, \\z as \\Z, POSIX classes spelled out,",
        "the `[\\w.-]{0,50}?` context before a keyword dropped (the secret is a later group). A secret may also end",
        "at . , : ! ? ) ] } > / | & < where gitleaks wants a quote, blank or ; (a token ending a sentence, in a URL",
        "or in a file name). Rules that could backtrack in Python's re are dropped (see DROPPED).",
        '"""',
        "",
        *[f"# {line}".rstrip() for line in LICENSE.read_text(encoding="utf-8").splitlines()],
        "",
        "from __future__ import annotations",
        "",
        f"SOURCE = {source!r}",
        f"SOURCE_COMMIT = {commit!r}",
        "",
        "Rule = tuple[str, str, tuple[str, ...], tuple[str, ...], int, float, tuple[str, ...], tuple[str, ...]]",
        "",
        "RULES: tuple[Rule, ...] = (",
    ]
    for rid, pattern, starts, keywords, group, entropy, allow_rx, stop in rows:
        lines.append(f"    ({rid!r},")
        lines.append(f"     {_literal(pattern)},")
        lines.append(f"     {starts!r}, {keywords!r}, {group}, {entropy!r}, "
                     f"({''.join(_literal(a) + ', ' for a in allow_rx)}), {stop!r}),")
    lines.append(")")
    lines.append("")
    lines.append("GLOBAL_ALLOW: tuple[str, ...] = (")
    lines += [f"    {_literal(r)}," for r in global_regexes]
    lines.append(")")
    lines.append(f"GLOBAL_STOPWORDS: tuple[str, ...] = {tuple(w.lower() for w in allow.get('stopwords', []))!r}")
    lines.append("")
    lines.append("DROPPED: tuple[tuple[str, str], ...] = (")
    lines += [f"    ({rid!r}, {why!r})," for rid, why in dropped]
    lines.append(")")
    return "\n".join(lines) + "\n", len(rows), len(dropped)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("toml", type=Path, help="a local copy of gitleaks' config/gitleaks.toml")
    parser.add_argument("--commit", default="", help="the gitleaks commit the file comes from, for the header")
    parser.add_argument("--out", type=Path, default=OUT, help=f"where to write (default {OUT}); - for stdout")
    args = parser.parse_args(argv)
    config = tomllib.loads(args.toml.read_text(encoding="utf-8"))
    text, ported, dropped = render(config, args.commit,
                                   "https://github.com/gitleaks/gitleaks/blob/master/config/gitleaks.toml")
    if str(args.out) == "-":
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}: {ported} rules ported, {dropped} dropped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
