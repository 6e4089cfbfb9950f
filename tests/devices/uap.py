"""uap.py: a small reader of uap-core's regexes.yaml (Debian package uap-core), the parser that
most user-agent libraries share, used as an independent oracle for Ladder's device rules: it
turns a user-agent string into uap's (OS family, major, minor) and (browser family, major).
It reproduces every case of uap-core's own tests/test_os.yaml and tests/test_ua.yaml (checked
by test_devices.py)."""
import re

import yaml

UAP = "/usr/share/uap-core"


def _compile(entries):
    out = []
    for e in entries:
        try:
            out.append((re.compile(e["regex"], re.I if e.get("regex_flag") == "i" else 0), e))
        except re.error:  # a handful use syntax Python lacks; uap's own ports skip them too
            pass
    return out


with open(f"{UAP}/regexes.yaml") as f:
    _R = yaml.safe_load(f)
_UA = _compile(_R["user_agent_parsers"])
_OS = _compile(_R["os_parsers"])


def _group(m, i):
    return m.group(i) if i <= m.re.groups else None


def _field(e, key, m, group):
    """uap's rule: a replacement with $N placeholders if given, else capture group N."""
    if key not in e:
        return _group(m, group) or None  # uap: an empty match is no value
    out = re.sub(r"\$(\d)", lambda x: _group(m, int(x.group(1))) or "", e[key]).strip()
    return out or None


def parse_ua(s):
    for rx, e in _UA:
        m = rx.search(s)
        if m:
            return _field(e, "family_replacement", m, 1) or "Other", _field(e, "v1_replacement", m, 2)
    return "Other", None


def parse_os(s):
    for rx, e in _OS:
        m = rx.search(s)
        if m:
            return (_field(e, "os_replacement", m, 1) or "Other", _field(e, "os_v1_replacement", m, 2),
                    _field(e, "os_v2_replacement", m, 3))
    return "Other", None, None


def fixtures(*names):
    """The user-agent strings of uap-core's fixture files, in order, without duplicates."""
    out = []
    for name in names:
        with open(f"{UAP}/{name}") as f:
            out += [c["user_agent_string"] for c in yaml.safe_load(f)["test_cases"]
                    if c.get("user_agent_string")]
    return list(dict.fromkeys(out))
