"""Secret redaction: the last step before any text (diffs, transcripts, issue text) leaves the machine.

Every secret found is replaced by ``[REDACTED:<kind>]``; the surrounding text is kept, so is the key of an
assignment (``API_KEY=[REDACTED:env-value]``), the scheme/user/host of a URL
(``https://user:[REDACTED:url-password]@host/path``) and the flag of a command line
(``--token=[REDACTED:cli-secret]``). The result carries the count per kind, for the report.

Rules run provider-first: cockpit's own provider formats, then gitleaks' rules (``redact_rules``, generated),
then cockpit's credentials in URLs, headers and command lines; the first rule to claim a span wins, so a GitHub
token in ``TOKEN=ghp_…`` is counted as ``github-token``, never as ``env-value``. Then, in order, the values of
secret-named keys and random-looking values in assignments. A value that already contains ``[REDACTED:`` is
never touched again, which makes redaction idempotent.

Cost stays near linear: a rule runs only when one of its keywords occurs in the text (gitleaks' pre-filter,
checked against the text's distinct words), a rule whose matches all begin with known literal text is tried
only where that text occurs, and no pattern nests variable-length quantifiers. Pure: stdlib only, no IO.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from cockpit.core import redact_rules
from cockpit.core.redact_engine import MARK, Rule, claim, keyword_index, marker, shannon_entropy

__all__ = ["MARK", "RULES", "Redaction", "Rule", "marker", "redact", "shannon_entropy", "summarize"]


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
        return summarize(self.counts)


def summarize(counts: Mapping[str, int]) -> str:
    total = sum(counts.values())
    if not total:
        return "no secrets found"
    kinds = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    parts = ", ".join(f"{n} {kind}" for kind, n in kinds if n)
    return f"{total} secret{'s' if total != 1 else ''} redacted: {parts}"


# --- rules that find a secret by its shape ---------------------------------------------------------------

# A token may not start in the middle of a word, but may follow `-`, `_`, `.` or `/`: `notes-ghp_….md`.
_L = r"(?<![A-Za-z0-9])"
_SPAN = r"(?:[^\n\\]|\\[\s\S]){0,2000}?"  # the rest of a command line, continuation lines included
_VALUE = r"(?:\"(?P<dq>[^\"\r\n]+)\"|'(?P<sq>[^'\r\n]+)'|(?P<bv>[^\s\"'`|;&)\-][^\s\"'`|;&)]*))"  # not the next flag
_FLAG = r"(?:token|api[-_]?key|apikey|access[-_]?key|secret|password|passwd|passphrase|pass|pwd|credentials?)"
_PROSE_WORD = re.compile(r"[a-z]{1,12}")
# What documentation writes where a credential goes (gitleaks' curl allowlist, and capitals: PASS, YOUR_TOKEN).
_PLACEHOLDER = re.compile(r"(?i:change(?:it|me)|pass(?:word|wd)?|pwd|secret|test|token|x+|\*+|\.\.\.|…)|[A-Z_]{1,12}")


def _keep_value(m: re.Match[str], value: str) -> bool:
    return (_is_plain_value(value) or value.startswith(("-", "$", "<", "%", "{{"))
            or _PLACEHOLDER.fullmatch(value) is not None)


def _keep_flag(m: re.Match[str], value: str) -> bool:
    """A flag's value that is a placeholder, the next flag, or (after a blank) a plain word of prose."""
    if _keep_value(m, value):
        return True
    return m.group("bv") is not None and m.group("sep") != "=" and _PROSE_WORD.fullmatch(value) is not None


# Provider formats, most specific first (anthropic before openai's generic sk-); they claim spans first.
PROVIDER_RULES: tuple[Rule, ...] = (
    # Anthropic: sk-ant-api03-<93 base64url>AA, sk-ant-admin01-…, sk-ant-oat01-… (OAuth).
    Rule("anthropic-key", _L + r"sk-ant-[a-z]{2,8}\d{2}-[A-Za-z0-9_\-]{20,}", ("sk-ant-",)),
    # OpenAI: project/service-account/admin keys sk-proj-… / sk-svcacct-… / sk-admin-…, legacy sk- + 48 alnum.
    Rule("openai-key", _L + r"sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{20,}|[A-Za-z0-9]{48,})", ("sk-",)),
    # GitHub: classic ghp_/gho_/ghu_/ghs_/ghr_ + 36 alnum; fine-grained github_pat_ + 82 of [A-Za-z0-9_].
    # (20+ suffices to be sure: a token cut short for display still gives most of itself away.)
    Rule("github-token", _L + r"(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})",
         ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_")),
    # GitLab personal/project access token: glpat- + 20 of [A-Za-z0-9_-] (the other gl…- kinds: gitleaks).
    Rule("gitlab-token", _L + r"glpat-[A-Za-z0-9_\-]{20,}", ("glpat-",)),
    # AWS access key id: AKIA (long-term) / ASIA (STS) + 16 uppercase alnum.
    Rule("aws-access-key", _L + r"(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])", ("akia", "asia")),
    # AWS secret access key: 40 base64 chars assigned to aws_secret_access_key (credentials file, env, JSON)…
    Rule("aws-secret", _L + r"(?i:aws_?secret_?access_?key)[\w.\-]*(?:\\?[\"'])?[ \t]*(?:==?|:=?)[ \t]*"
         r"(?:\\?[\"'])?(?P<s>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])", ("aws",), group="s"),
    # … or given to `aws configure set [profile.NAME.]aws_secret_access_key VALUE` (a session token too).
    Rule("aws-secret", r"aws[ \t]+configure[ \t]+set[ \t]+(?:[\w.\-]{1,60}\.)?(?:aws_secret_access_key|"
         r"aws_session_token)[ \t]+[\"']?(?P<s>[^\s\"']+)", ("aws",), group="s", keep=_keep_value),
    # Google API key: AIza + 35 of [0-9A-Za-z_-].
    Rule("google-api-key", _L + r"AIza[0-9A-Za-z_\-]{35}(?![0-9A-Za-z_\-])", ("aiza",)),
    # Slack: xoxb- (bot), xoxp- (user), xoxa-/xoxe-/xoxo-/xoxr-/xoxs- + dash-separated alnum.
    Rule("slack-token", _L + r"xox[abeoprs]-[A-Za-z0-9\-]{10,}", ("xox",)),
    # Incoming webhooks: the URL path is the credential; the host stays readable.
    Rule("slack-webhook", r"hooks\.slack\.com/(?:services|workflows|triggers)/(?P<s>[A-Za-z0-9+/_\-]{20,})",
         ("hooks.slack.com/",), group="s"),
    Rule("discord-webhook", r"discord(?:app)?\.com/api/(?:v\d{1,2}/)?webhooks/(?P<s>\d{5,30}/[A-Za-z0-9_\-]{20,})",
         ("discord",), group="s"),
    # Stripe: secret sk_live_/sk_test_, restricted rk_live_/rk_test_ + 24+ alnum (16+: cut ones too).
    Rule("stripe-key", _L + r"[sr]k_(?:live|test)_[A-Za-z0-9]{16,}", ("sk_live_", "sk_test_", "rk_live_", "rk_test_")),
    # JWT: base64url header (always `{"` -> eyJ) . payload . signature.
    Rule("jwt", _L + r"eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}", ("eyj",)),
)

GITLEAKS_RULES: tuple[Rule, ...] = tuple(
    Rule(rid, pattern, starts, keywords, group, entropy, allow, stop, gitleaks=True)
    for rid, pattern, starts, keywords, group, entropy, allow, stop in redact_rules.RULES
)

# Credentials in URLs, HTTP headers and command lines; after the providers, so a known token keeps its kind.
CREDENTIAL_RULES: tuple[Rule, ...] = (
    # Password in a URL's userinfo: scheme://user:password@host (RFC 3986; `@` in a password is %-encoded).
    Rule("url-password", r"://(?<=[A-Za-z0-9+.\-]://)[^\s:/@\"'\\]+:(?P<s>[^\s/@\"'\\]+)@", ("://",), group="s"),
    # HTTP Authorization header value (RFC 7235: `Authorization: Bearer|Basic|Token <credentials>`).
    Rule("bearer-token", r"(?<![A-Za-z0-9_])(?i:authorization)(?:\\?[\"'])?[ \t]*[:=][ \t]*(?:\\?[\"'])?"
         r"(?i:bearer|basic|token)[ \t]+(?P<s>[A-Za-z0-9._~+/=\-]{8,})", ("authorization",), group="s"),
    # A bare `Bearer <token>` (RFC 6750 b64token) of 20+ chars containing a digit.
    Rule("bearer-token", r"(?<![A-Za-z0-9_])(?i:bearer)[ \t]+(?P<s>[A-Za-z0-9._~+/=\-]{20,})", ("bearer",),
         group="s", keep=lambda m, v: not any(c.isdigit() for c in v)),
    # --token=X, --api-key X, --password 'X', --client-secret=X, --http-password X …
    Rule("cli-secret", r"(?<![\w-])--(?:[A-Za-z0-9_\-]{0,40}[\-_])?" + _FLAG + r"(?P<sep>=|[ \t]+)" + _VALUE,
         ("--",), ("token", "key", "secret", "pass", "pwd", "credential"), ("dq", "sq", "bv"), keep=_keep_flag),
    # curl -u user:password / --user user:password (the user stays).
    Rule("cli-secret", r"(?<![\w-])curl\b" + _SPAN + r"[ \t](?:-u|--user)(?:=|[ \t]+)[\"']?[^\s:\"']{1,200}:"
         r"(?P<s>[^\s\"']+)", ("curl",), group="s", keep=_keep_value),
    # mysql -pPASSWORD (attached: `-p PASS` would be a database name), sshpass -p PASS, redis-cli -a PASS.
    Rule("cli-secret", r"(?<![\w-])(?:mysql(?:dump|admin|import|show|check|slap)?|mariadb(?:-dump|-admin)?)\b"
         + _SPAN + r"[ \t]-p[\"']?(?P<s>[^\s\"'\-][^\s\"']*)", ("mysql", "mariadb"), group="s", keep=_keep_value),
    Rule("cli-secret", r"(?<![\w-])sshpass\b" + _SPAN + r"[ \t]-p[ \t]*[\"']?(?P<s>[^\s\"']+)", ("sshpass",),
         group="s", keep=_keep_value),
    Rule("cli-secret", r"(?<![\w-])redis-cli\b" + _SPAN + r"[ \t]-a[ \t]+[\"']?(?P<s>[^\s\"']+)", ("redis-cli",),
         group="s", keep=_keep_value),
)


def _keep_cut(m: re.Match[str], value: str) -> bool:
    """A word cut by a display ellipsis is kept unless it looks like part of a token (letters and digits)."""
    has_both = any(c.isdigit() for c in value) and any(c.isalpha() for c in value)
    return not (has_both and (_char_classes(value) >= 3 or len(value) >= 16))


# What is left of a token cut short for display (`one_line` ends a cut text with …): no pattern can see
# its kind any more, and most of it would leak.
CUT_RULES: tuple[Rule, ...] = (
    Rule("cut-token", r"(?<![A-Za-z0-9_\-+/=])(?P<s>[A-Za-z0-9_\-+/=]{12,})…", (), ("…",), "s", keep=_keep_cut),
)

RULES: tuple[Rule, ...] = PROVIDER_RULES + GITLEAKS_RULES + CREDENTIAL_RULES + CUT_RULES
_RULE_INDEX = keyword_index(RULES)

# PEM / OpenSSH / PGP private key: the whole BEGIN … END block (RFC 7468 labels, `PGP PRIVATE KEY BLOCK`),
# with literal or JSON-escaped newlines inside. A block cut off before its END line loses its BEGIN line and
# the base64 lines after it. Scanned with find/search plus a cached END position, so it stays linear.
_PK_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]{0,30}PRIVATE KEY(?: BLOCK)?-----")
_PK_END = re.compile(r"-----END [A-Z0-9 ]{0,30}PRIVATE KEY(?: BLOCK)?-----")
_PK_TAIL = re.compile(r"(?:(?:\r?\n|\\n)[+\- ]?[A-Za-z0-9+/=]+)*")
PRIVATE_KEY_MAX_CHARS = 20_000  # an armored 4096-bit RSA or PGP secret key is well below this

# --- assignments, after the rules ------------------------------------------------------------------------
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
# Keys that name where a secret is, or how big, not the secret: TOKEN_FILE, SECRET_NAME, MAX_TOKENS.
_ABOUT_A_SECRET = re.compile(r"(?i)[_.\-](?:file|path|dir|name|url|uri|endpoint|header|env|var|tokens|length|size)$")

_NON_SECRET_VALUE = re.compile(
    r"(?i)(?:true|false|yes|no|on|off|null|none|nil|undefined|bearer|basic|token"
    r"|[+\-]?\d[\d_]*(?:\.\d+)?"  # numbers (200_000 too)
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

_SPACE = re.compile(r"\s")

HIGH_ENTROPY_MIN_LEN = 20
HIGH_ENTROPY_MIN_BITS = 4.0
# Longer random-looking values are data (a base64 image or fixture, a certificate), not a credential: keys
# that long have a format a provider rule knows, or sit under a secret-named key.
HIGH_ENTROPY_MAX_LEN = 256


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


@lru_cache(maxsize=4096)  # the same few keys recur all through a transcript
def _is_secret_key(key: str) -> bool:
    return (key.upper() not in _NOT_SECRET_KEYS and _SECRET_KEY.search(key) is not None
            and _ABOUT_A_SECRET.search(key) is None)


def _looks_high_entropy(value: str) -> bool:
    if not HIGH_ENTROPY_MIN_LEN <= len(value) <= HIGH_ENTROPY_MAX_LEN or MARK in value or _SPACE.search(value):
        return False
    if (_UUID.fullmatch(value) or _HEX.fullmatch(value) or _NAME.fullmatch(value)
            or "://" in value or value.startswith("data:") or _PATH.match(value)):
        return False
    return _char_classes(value) >= 3 and shannon_entropy(value) >= HIGH_ENTROPY_MIN_BITS


# --- the passes ------------------------------------------------------------------------------------------

class _Redactor:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def mark(self, kind: str) -> str:
        self.counts[kind] += 1
        return marker(kind)

    def group(self, kind: str, name: str) -> Callable[[re.Match[str]], str]:
        """Replace only group `name`; leave the match alone when the value is redacted already."""
        def sub(m: re.Match[str]) -> str:
            value = m.group(name)
            if value is None or MARK in value:
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
        def sub(m: re.Match[str]) -> str:
            for name in ("dq", "sq", "eq", "bv"):
                value = m.group(name)
                if value is not None:
                    break
            else:  # pragma: no cover - the regex always sets one value group
                return m.group(0)
            key = m.group("key")
            if _is_secret_key(key) and not _is_plain_value(value):
                if name != "bv" or not (_is_code_value(value, m.string, m.end())
                                        or (_NAME.fullmatch(value) and not key.isupper())
                                        or (":" in m.group("sep") and value.isalpha() and value.islower())):
                    return self.group("env-value", name)(m)
            if len(value) >= HIGH_ENTROPY_MIN_LEN and not _ID_KEY.search(key) and _looks_high_entropy(value):
                return self.group("high-entropy", name)(m)
            return m.group(0)
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
    # 2. provider formats, gitleaks' rules, credentials in URLs, headers and command lines.
    text = claim(text, text.lower(), RULES, _RULE_INDEX, r.counts)
    # 3. values of secret-named keys (or of every key in a .env file).
    text = (_ENV_LINE if env_file else _ENV_LINE_UPPER).sub(r.env_line(every_key=env_file), text)
    # 4. in one pass: a secret-named key's value, else anything in an assignment random enough to be a key.
    text = _ASSIGN.sub(r.assignments(), text)
    return Redaction(text=text, counts=MappingProxyType(dict(r.counts)))
