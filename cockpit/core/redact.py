"""Secret redaction: the last step before any text (diffs, transcripts, issue text) leaves the machine.

Every secret found is replaced by ``[REDACTED:<kind>]``; the surrounding text is kept, so is the key of an
assignment (``API_KEY=[REDACTED:env-value]``) and the scheme/user/host of a URL
(``https://user:[REDACTED:url-password]@host/path``). The result carries the count per kind, for the report.

Passes run in a fixed order: provider-specific formats first, then generic ones, so a GitHub token in
``TOKEN=ghp_…`` is counted as ``github-token``, never as ``env-value`` or ``high-entropy``. A value that
already contains ``[REDACTED:`` is never touched again, which makes redaction idempotent.

Every pattern is a single pass of non-nested quantifiers over disjoint classes (or a bounded lazy span),
so the cost stays linear in the input size. Pure: stdlib only, no IO.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

MARK = "[REDACTED:"


@dataclass(frozen=True, slots=True)
class Redaction:
    """The redacted text and how many secrets of each kind were replaced."""

    text: str
    counts: Mapping[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        """`3 secrets redacted: 2 github-token, 1 private-key`, or `no secrets found`."""
        total = self.total
        if not total:
            return "no secrets found"
        kinds = sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))
        parts = ", ".join(f"{n} {kind}" for kind, n in kinds if n)
        return f"{total} secret{'s' if total != 1 else ''} redacted: {parts}"


def marker(kind: str) -> str:
    return f"{MARK}{kind}]"


# A token may not start in the middle of a longer identifier-like run.
_B = r"(?<![A-Za-z0-9_\-])"

# --- provider-specific formats, in the order they run ---------------------------------------------------
_PROVIDERS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    # Anthropic: sk-ant-api03-<93 base64url>AA, sk-ant-admin01-…, sk-ant-oat01-… (OAuth).
    ("anthropic-key", "sk-ant-", re.compile(_B + r"sk-ant-[a-z]{2,8}\d{2}-[A-Za-z0-9_\-]{20,}")),
    # OpenAI: project/service-account/admin keys sk-proj-… / sk-svcacct-… / sk-admin-…, legacy sk- + 48 alnum.
    ("openai-key", "sk-", re.compile(_B + r"sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{20,}|[A-Za-z0-9]{48,})")),
    # GitHub: classic ghp_/gho_/ghu_/ghs_/ghr_ + 36 alnum; fine-grained github_pat_ + 82 of [A-Za-z0-9_].
    ("github-token", "g", re.compile(_B + r"(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{82,})")),
    # GitLab personal/project access token: glpat- + 20 of [A-Za-z0-9_-].
    ("gitlab-token", "glpat-", re.compile(_B + r"glpat-[A-Za-z0-9_\-]{20,}")),
    # AWS access key id: AKIA (long-term) / ASIA (STS) + 16 uppercase alnum.
    ("aws-access-key", "A", re.compile(r"(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])")),
    # AWS secret access key: 40 base64 chars assigned to aws_secret_access_key (credentials file, env, JSON).
    ("aws-secret", "", re.compile(
        r"(?<![A-Za-z0-9])(?i:aws_?secret_?access_?key)[\w.\-]*(?:\\?[\"'])?[ \t]*(?:==?|:=?)[ \t]*(?:\\?[\"'])?"
        r"(?P<s>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])")),
    # Google API key: AIza + 35 of [0-9A-Za-z_-].
    ("google-api-key", "AIza", re.compile(_B + r"AIza[0-9A-Za-z_\-]{35}(?![0-9A-Za-z_\-])")),
    # Slack: xoxb- (bot), xoxp- (user), xoxa-/xoxr-/xoxs- + dash-separated alnum.
    ("slack-token", "xox", re.compile(_B + r"xox[abprs]-[A-Za-z0-9\-]{10,}")),
    # Stripe: secret sk_live_/sk_test_, restricted rk_live_/rk_test_ + 24+ alnum.
    ("stripe-key", "k_", re.compile(_B + r"[sr]k_(?:live|test)_[A-Za-z0-9]{24,}")),
    # JWT: base64url header (always `{"` -> eyJ) . payload . signature.
    ("jwt", "eyJ", re.compile(_B + r"eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}")),
)

# PEM / OpenSSH / PGP private key: the whole BEGIN … END block (RFC 7468 labels, `PGP PRIVATE KEY BLOCK`),
# with literal or JSON-escaped newlines inside. A block cut off before its END line loses its BEGIN line and
# the base64 lines after it. Scanned with find/search plus a cached END position, so it stays linear.
_PK_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]{0,30}PRIVATE KEY(?: BLOCK)?-----")
_PK_END = re.compile(r"-----END [A-Z0-9 ]{0,30}PRIVATE KEY(?: BLOCK)?-----")
_PK_TAIL = re.compile(r"(?:(?:\r?\n|\\n)[+\- ]?[A-Za-z0-9+/=]+)*")
PRIVATE_KEY_MAX_CHARS = 20_000  # an armored 4096-bit RSA or PGP secret key is well below this

# --- generic formats, after the providers ---------------------------------------------------------------
# Password in a URL's userinfo: scheme://user:password@host (RFC 3986; `@` in a password must be %-encoded).
_URL_PASSWORD = re.compile(r"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]{0,30}://[^\s:/@\"'\\]+:(?P<s>[^\s/@\"'\\]+)@")
# HTTP Authorization header value (RFC 7235: `Authorization: Bearer|Basic|Token <credentials>`).
_AUTH_HEADER = re.compile(
    r"(?<![A-Za-z0-9_])(?i:authorization)(?:\\?[\"'])?[ \t]*[:=][ \t]*(?:\\?[\"'])?(?i:bearer|basic|token)[ \t]+"
    r"(?P<s>[A-Za-z0-9._~+/=\-]{8,})"
)
# A bare `Bearer <token>` (RFC 6750 b64token) of 20+ chars containing a digit.
_BEARER = re.compile(r"(?<![A-Za-z0-9_])(?i:bearer)[ \t]+(?P<s>[A-Za-z0-9._~+/=\-]{20,})")

# One assignment per line, .env / shell style: [diff marker] [export] KEY=rest-of-line.
_ENV_LINE = re.compile(
    r"(?m)^(?P<pre>[ \t]*(?:[+\-][ \t]*)?(?:export[ \t]+)?)(?P<key>[A-Za-z_][A-Za-z0-9_.\-]*)"
    r"(?P<sep>[ \t]*=[ \t]*)(?P<rest>[^\r\n]*)"
)
# The same, for the default mode: only upper-case keys can be env-style secrets there, so lower-case
# assignments (most lines of code) never reach the Python callback.
_ENV_LINE_UPPER = re.compile(
    r"(?m)^(?P<pre>[ \t]*(?:[+\-][ \t]*)?(?:export[ \t]+)?)(?P<key>[A-Z_][A-Z0-9_.\-]*)"
    r"(?P<sep>[ \t]*=[ \t]*)(?P<rest>[^\r\n]*)"
)
# Any assignment in code, config or JSON: key = "v" / key: v / "key": "v" / key=v / \"key\": \"v\" (escaped JSON).
# A bare value stops at `&` (query strings) and cannot start with `/`, so `https://…?token=…` is still seen.
_ASSIGN = re.compile(
    r"(?<![\w.\-])(?P<key>[A-Za-z_][\w.\-]*)(?P<sep>(?:\\?[\"'])?[ \t]*(?:==?|:=?)[ \t]*)"
    r"(?:\"(?P<dq>[^\"\\\r\n]*)\"|'(?P<sq>[^'\\\r\n]*)'|\\\"(?P<eq>[^\"\\\r\n]*)\\\""
    r"|(?P<bv>[^\s\"'`,;&\\:=/(){}\[\]<>][^\s\"'`,;&\\(){}\[\]<>]*))"
)
# Key names that announce a secret (AUTH but not AUTHOR/AUTHORITY).
_SECRET_KEY = re.compile(r"(?i)secret|token|passw(?:or)?d|pwd|api[_\-]?key|private|credential|auth(?!or)")
_NOT_SECRET_KEYS = frozenset({"PWD", "OLDPWD"})  # the shell's working directories

_NON_SECRET_VALUE = re.compile(
    r"(?i)(?:true|false|yes|no|on|off|null|none|nil|undefined|bearer|basic|token"
    r"|[+\-]?\d+(?:\.\d+)?"  # numbers
    r"|\$\{?[A-Za-z_]\w*\}?|\$\{\{.*\}\}|\{\{.*\}\}|<[^<>]*>|%\([^)]*\)s"  # placeholders, templates
    r"|x+|\*+|\.+)"
)
_CODE_CALL = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*[(\[]")
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_IDENT = re.compile(r"[A-Za-z_]\w*")
# Keys whose values are identifiers or digests, random-looking by design but not credentials.
_ID_KEY = re.compile(
    r"(?:^|[_.\-])(?i:id|uuid|guid|sha\d*|hash|digest|checksum|integrity|etag|commit|rev|signature)$|[a-z]I[dD]$")
_NAME = re.compile(r"[A-Za-z_][A-Za-z_\-.]*")  # identifiers, kebab names, dotted names without digits
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_HEX = re.compile(r"(?:0x)?[0-9a-fA-F]+")
_PATH = re.compile(r"(?:~|\.{1,2})?/|[A-Za-z]:\\|[\w.\-]+(?:/[\w.\-]+)+\.\w{1,6}$")

HIGH_ENTROPY_MIN_LEN = 20
HIGH_ENTROPY_MIN_BITS = 4.0


def shannon_entropy(value: str) -> float:
    """Bits per character of `value`'s own character distribution."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def _char_classes(value: str) -> int:
    return (
        any(c.islower() for c in value)
        + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value)
        + any(not c.isalnum() for c in value)
    )


def _is_plain_value(value: str) -> bool:
    """Empty, already redacted, boolean, number, placeholder, or without a single letter or digit."""
    v = value.strip()
    return (not v or MARK in v or _NON_SECRET_VALUE.fullmatch(v) is not None
            or not any(c.isalnum() for c in v))


def _is_secret_key(key: str) -> bool:
    return key.upper() not in _NOT_SECRET_KEYS and _SECRET_KEY.search(key) is not None


def _looks_high_entropy(value: str) -> bool:
    if len(value) < HIGH_ENTROPY_MIN_LEN or MARK in value or any(c.isspace() for c in value):
        return False
    if (_UUID.fullmatch(value) or _HEX.fullmatch(value) or _NAME.fullmatch(value)
            or "://" in value or value.startswith("data:") or _PATH.match(value)):
        return False
    return _char_classes(value) >= 3 and shannon_entropy(value) >= HIGH_ENTROPY_MIN_BITS


class _Redactor:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def mark(self, kind: str) -> str:
        self.counts[kind] += 1
        return marker(kind)

    def whole(self, kind: str) -> Callable[[re.Match[str]], str]:
        def sub(m: re.Match[str]) -> str:
            return self.mark(kind)
        return sub

    def group(self, kind: str, name: str, keep: Callable[[str], bool] | None = None) -> Callable[[re.Match[str]], str]:
        """Replace only group `name`; leave the match alone when the value is redacted already or `keep`s."""
        def sub(m: re.Match[str]) -> str:
            value = m.group(name)
            if value is None or MARK in value or (keep is not None and keep(value)):
                return m.group(0)
            start, end = m.span(name)
            base = m.start()
            whole = m.group(0)
            return whole[: start - base] + self.mark(kind) + whole[end - base:]
        return sub

    def env_line(self, every_key: bool) -> Callable[[re.Match[str]], str]:
        def sub(m: re.Match[str]) -> str:
            key, rest = m.group("key"), m.group("rest")
            if not every_key and not (key.isupper() and m.group("sep") == "=" and _is_secret_key(key)):
                return m.group(0)
            head = m.group("pre") + key + m.group("sep")
            value, tail = _split_env_value(rest)
            if _is_plain_value(value) or (not every_key and _CODE_CALL.match(value)):
                return m.group(0)
            quote = rest[0] if rest[:1] in ("'", '"') and tail.startswith(rest[0]) else ""
            return head + quote + self.mark("env-value") + tail
        return sub

    def assignments(self) -> Callable[[re.Match[str]], str]:
        """One pass for both generic kinds: a secret-named key's value, else a random-looking value."""
        named, random_looking = self.assignment("env-value"), self.assignment("high-entropy")

        def sub(m: re.Match[str]) -> str:
            first = named(m)
            return first if first != m.group(0) else random_looking(m)
        return sub

    def assignment(self, kind: str) -> Callable[[re.Match[str]], str]:
        def sub(m: re.Match[str]) -> str:
            for name in ("dq", "sq", "eq", "bv"):
                value = m.group(name)
                if value is not None:
                    break
            else:  # pragma: no cover - the regex always sets one value group
                return m.group(0)
            if kind == "env-value":
                if not _is_secret_key(m.group("key")) or _is_plain_value(value):
                    return m.group(0)
                if name == "bv" and (_is_code_value(value, m.string, m.end())
                                     or (_NAME.fullmatch(value) and not m.group("key").isupper())):
                    return m.group(0)
            elif _ID_KEY.search(m.group("key")) or not _looks_high_entropy(value):
                return m.group(0)
            return self.group(kind, name)(m)
        return sub


def _redact_private_keys(text: str, r: _Redactor) -> str:
    out: list[str] = []
    pos = 0
    searched_from, end = -1, None  # `end`: the first END line at or after `searched_from`
    while (begin := _PK_BEGIN.search(text, pos)) is not None:
        body = begin.end()
        if searched_from < 0 or (end is not None and end.start() < body):
            end, searched_from = _PK_END.search(text, body), body
        complete = (end is not None and end.start() - body <= PRIVATE_KEY_MAX_CHARS
                    and text.find("-----BEGIN ", body, end.start()) < 0)
        stop = end.end() if complete and end is not None else _PK_TAIL.match(text, body).end()
        out += [text[pos:begin.start()], r.mark("private-key")]
        pos = stop
    out.append(text[pos:])
    return "".join(out)


def _split_env_value(rest: str) -> tuple[str, str]:
    """(`value`, `what follows it`) for the right-hand side of a .env line; quotes stay in the tail."""
    if rest[:1] in ("'", '"'):
        close = rest.find(rest[0], 1)
        if close > 0:
            return rest[1:close], rest[close:]
    stripped = rest.rstrip()
    comment = stripped.find(" #")
    end = comment if comment >= 0 else len(stripped)
    value = stripped[:end].rstrip()
    return value, rest[len(value):]


def _is_code_value(value: str, text: str = "", end: int = 0) -> bool:
    """A call, subscript or attribute access (`os.environ["X"]`, `get_token()`, `self.token`), not a literal."""
    if _CODE_CALL.match(value) or _DOTTED.fullmatch(value):
        return True
    return end < len(text) and text[end] in "([" and _IDENT.fullmatch(value) is not None


def redact(text: str, *, env_file: bool = False) -> Redaction:
    """Replace every secret in `text` by `[REDACTED:<kind>]` and count them per kind.

    `env_file=True` treats `text` as a .env file: every `KEY=value` line's value is redacted unless it is
    empty, a boolean, a number or a placeholder. Otherwise only assignments to secret-sounding keys are.
    """
    r = _Redactor()
    # 1. private keys first: their base64 body must not be picked apart by the token patterns.
    if "PRIVATE KEY" in text:
        text = _redact_private_keys(text, r)
    # 2. provider formats, most specific prefix first (anthropic before openai's generic sk-).
    for kind, needle, pattern in _PROVIDERS:
        if needle in text:
            text = pattern.sub(r.group(kind, "s") if "(?P<s>" in pattern.pattern else r.whole(kind), text)
    # 3. credentials in URLs and HTTP headers.
    if "://" in text:
        text = _URL_PASSWORD.sub(r.group("url-password", "s"), text)
    text = _AUTH_HEADER.sub(r.group("bearer-token", "s"), text)
    text = _BEARER.sub(r.group("bearer-token", "s", keep=lambda v: not any(c.isdigit() for c in v)), text)
    # 4. values of secret-named keys (or of every key in a .env file).
    text = (_ENV_LINE if env_file else _ENV_LINE_UPPER).sub(r.env_line(every_key=env_file), text)
    # 5. in one pass: a secret-named key's value, else anything in an assignment random enough to be a key.
    text = _ASSIGN.sub(r.assignments(), text)
    return Redaction(text=text, counts=MappingProxyType(dict(r.counts)))
