"""test_devices.py: the built-in device rules (devices/devices.xml) send every client where
docs/origin.md ("/play/<id>") says it belongs, checked on uap-core's corpus of real
user-agent strings and on our own cases for what the corpus lacks (iPadOS, WebView, smart TVs,
DASH TVs, Client Hints). The expected answer comes from an independent oracle: uap-core's own regexes
(uap.py) parse each string into OS and browser family and version, and the policy below maps
those to a format. A broken rule file gets one FILE:LINE error and exit 1."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
import uap  # noqa: E402
from ladder_test import Checks, cleanup, ladder, workdir  # noqa: E402

c = Checks("devices")

# --- the oracle: the policy of docs/origin.md, over uap's parse -------------------------
FEATURE_OS = {"Symbian OS", "Symbian^3", "Symbian^3 Anna", "Symbian^3 Belle", "Nokia Series 40",
              "Nokia Series 30 Plus", "Windows Mobile", "BREW", "Brew MP", "Bada", "MeeGo",
              "Maemo", "Firefox OS", "KaiOS"}
MSE_ANDROID_BROWSERS = {"Chrome Mobile", "Chrome", "Chrome Mobile WebView"}
# Browsers whose behaviour the policy speaks for; apps, bots and rarities are routed (and
# must not crash anything) but not judged.
MAINSTREAM = {"Mobile Safari", "Mobile Safari UI/WKWebView", "Safari", "Chrome", "Chrome Mobile",
              "Chrome Mobile WebView", "Chrome Mobile iOS", "Firefox", "Firefox Mobile",
              "Firefox iOS", "Edge", "Edge Mobile", "IE", "IE Mobile", "Opera", "Opera Mobile",
              "Opera Mini", "Android", "Samsung Internet", "UC Browser", "Amazon Silk",
              "BlackBerry WebKit", "Nokia Browser", "Facebook", "Yandex Browser", "Chromium",
              "Vivaldi", "Firefox Beta", "Opera Coast",
              "HbbTV"}  # uap names an HbbTV terminal's browser by the standard it implements
# Where uap's parse is the wrong basis, with the reason.
ORACLE_GAPS = {
    # UC Browser on a Galaxy Pocket (Android 2.3) claiming Opera Mini; uap says only "Linux".
    "UCWEB/2.0 (Linux; U; Opera Mini/7.1.32052/30.2697; en-US; GT-S5302) U2/1.0.0 "
    "UCBrowser/9.3.0.440 Mobile": ("mp4", 360),
}


def num(x):
    try:
        return int(x)
    except (TypeError, ValueError):
        return None


def judged(ua):
    os_family = uap.parse_os(ua)[0]
    return os_family != "Other" and uap.parse_ua(ua)[0] in MAINSTREAM


def expected(ua):
    """(format, max height for MP4 or None)."""
    if ua in ORACLE_GAPS:
        return ORACLE_GAPS[ua]
    os_family, v1, v2 = uap.parse_os(ua)
    browser, browser_major = uap.parse_ua(ua)
    major, minor, bmajor = num(v1), num(v2) or 0, num(browser_major)
    # DASH where the TV's platform player is a DASH player: HbbTV 1.5 and later (uap's own
    # HbbTV/x.y.z regex; 1.2.1 is HbbTV 1.5, the first with DASH), Samsung Tizen TVs (phones
    # say Mobile), LG webOS 3+ (Chromium, MSE); HbbTV 1.0 and webOS 1-2 are smart TVs on HLS.
    if browser == "HbbTV":
        v = re.search(r"HbbTV/(\d+)\.(\d+)\.(\d+)", ua)
        return ("dash", None) if v and (int(v[1]), int(v[2])) >= (1, 2) else ("hls", None)
    if os_family == "Tizen" and ("SMART-TV" in ua.upper() or " TV Safari/" in ua):
        return ("dash", None)
    if os_family == "Web0S" and browser == "Chrome":
        return ("dash", None)
    if browser == "Opera Mini" and "OPiOS" not in ua:  # a proxy browser; OPiOS is WebKit
        return ("mp4", 360)
    if os_family in ("iOS", "tvOS", "ATV OS X"):
        return ("hls", None)
    if os_family == "Android":
        if major is None:
            return ("mp4", 480)
        if major <= 3:
            return ("mp4", 360)
        if (major, minor) >= (4, 4):
            return ("hls", None)
        mse = browser in MSE_ANDROID_BROWSERS or (browser == "Amazon Silk" and (bmajor or 0) >= 3)
        return ("hls", None) if mse else ("mp4", 480)
    if os_family in FEATURE_OS or v1 == "CE":
        return ("mp4", 360)
    if os_family == "BlackBerry OS" and (major or 0) < 10:
        return ("mp4", 360)
    if os_family == "Windows Phone" and (major or 0, minor) < (8, 1):
        return ("mp4", 360)
    if browser == "Opera Mobile" and (bmajor or 99) <= 12:
        return ("mp4", 360)
    if browser in ("IE", "IE Mobile") and (bmajor or 99) <= 10:
        return ("mp4", 1080)
    if browser == "Opera" and (bmajor or 99) <= 12:
        return ("mp4", 1080)
    return ("hls", None)


def route(lines, *devices):
    r = ladder("profiles", "route", *devices, input="\n".join(lines) + "\n")
    out = [line.split(" ") for line in r.stdout.splitlines()]
    return r, [(f, int(h) if f == "mp4" else None, rule) for f, h, _, rule in out]


# --- the oracle reproduces uap-core's own expectations ---------------------------------------
import yaml  # noqa: E402
for name, parse, fields in [("tests/test_os.yaml", uap.parse_os, ("family", "major")),
                            ("tests/test_ua.yaml", uap.parse_ua, ("family", "major"))]:
    with open(f"{uap.UAP}/{name}") as f:
        cases = yaml.safe_load(f)["test_cases"]
    wrong = [x["user_agent_string"] for x in cases
             if parse(x["user_agent_string"])[:2] != (x[fields[0]], x[fields[1]] or None)]
    c.check(len(cases) > 400 and not wrong, f"uap.py reproduces {name} ({len(wrong)} wrong: {wrong[:2]})")

# --- the corpus ------------------------------------------------------------------------------
corpus = [u for u in uap.fixtures("tests/test_os.yaml", "tests/test_ua.yaml",
                                  "test_resources/additional_os_tests.yaml",
                                  "test_resources/opera_mini_user_agent_strings.yaml",
                                  "test_resources/firefox_user_agent_strings.yaml")
          if "\n" not in u and "\t" not in u]
r, got = route(corpus)
c.check(r.returncode == 0 and len(got) == len(corpus),
        f"every corpus string is routed ({len(got)} of {len(corpus)}, {r.stderr.strip()})")
mismatches = [(u, g[:2], g[2], expected(u)) for u, g in zip(corpus, got)
              if judged(u) and g[:2] != expected(u)]
n_judged = sum(1 for u in corpus if judged(u))
c.check(n_judged > 500, f"the corpus has {n_judged} judged user agents")
c.check(not mismatches, f"{len(mismatches)} of {n_judged} routed against the policy: {mismatches[:5]}")
kinds = {(g[0], g[1]) for g in got}
c.check({("hls", None), ("mp4", 360), ("mp4", 480), ("mp4", 1080)} <= kinds,
        f"the corpus exercises HLS and every MP4 class ({sorted(kinds, key=str)})")

# --- our own cases, for what the corpus lacks --------------------------------------------------
OWN = [
    # (user agent, Sec-CH-UA-Mobile, Sec-CH-UA-Platform, format, max height)
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.1 Safari/605.1.15", "", "", "hls", None),  # iPadOS 13+ (and desktop Safari)
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) Version/17.1 Mobile/15E148 Safari/604.1", "", "", "hls", None),
    ("Mozilla/5.0 (Linux; Android 4.4.2; Nexus 5 Build/KOT49H; wv) AppleWebKit/537.36 (KHTML, "
     "like Gecko) Version/4.0 Chrome/30.0.0.0 Mobile Safari/537.36", "", "", "hls", None),
    ("Mozilla/5.0 (Linux; U; Android 4.3; en-us; GT-I9300 Build/JSS15J) AppleWebKit/534.30 "
     "(KHTML, like Gecko) Version/4.0 Mobile Safari/534.30", "", "", "mp4", 480),  # stock 4.3
    ("Mozilla/5.0 (Linux; Android 4.3; Nexus 7 Build/JSS15Q) AppleWebKit/537.36 (KHTML, like "
     "Gecko) Chrome/29.0.1547.72 Safari/537.36", "", "", "hls", None),  # Chrome on 4.3
    ("Mozilla/5.0 (Linux; U; Android 2.3.6; en-us; Nexus S Build/GRK39F) AppleWebKit/533.1 "
     "(KHTML, like Gecko) Version/4.0 Mobile Safari/533.1", "", "", "mp4", 360),
    ("Mozilla/5.0 (Linux; U; Android 3.2; en-us; Xoom Build/HTK75D) AppleWebKit/534.13 (KHTML, "
     "like Gecko) Version/4.0 Safari/534.13", "", "", "mp4", 360),
    ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Mobile Safari/537.36", "?1", '"Android"', "hls", None),  # reduced UA + CH
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Safari/537.36", "?0", '"Android"', "hls", None),  # CH: Android desktop mode
    ("Mozilla/5.0 (Linux; Android 9; AFTMM Build/PS7233) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/70.0.3538.110 Mobile Safari/537.36", "", "", "hls", None),  # Fire TV
    ("Mozilla/5.0 (X11; Linux armv7l) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.4472.225 "
     "Safari/537.36 CrKey/1.56.500000", "", "", "hls", None),  # Chromecast
    # DASH TVs (devices.xml cites where each string comes from)
    ("Mozilla/5.0 (SMART-TV; LINUX; Tizen 6.0) AppleWebKit/538.1 (KHTML, like Gecko) "
     "Version/6.0 TV Safari/538.1", "", "", "dash", None),
    ("Mozilla/5.0 (SMART-TV; LINUX; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) "
     "76.0.3809.146/6.0 TV Safari/537.36", "", "", "dash", None),  # Samsung TV 2021
    ("Mozilla/5.0 (SMART-TV; Linux; Tizen 5.0) AppleWebKit/537.36 (KHTML, like Gecko) "
     "SamsungBrowser/2.2 Chrome/63.0.3239.84 TV Safari/537.36", "", "", "dash", None),
    ("Mozilla/5.0 (Linux; Tizen 2.2; SAMSUNG SM-Z9005) AppleWebKit/537.3 (KHTML, like Gecko) "
     "Version/2.2 Mobile Safari/537.3", "", "", "hls", None),  # a Tizen phone is no TV
    ("Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/79.0.3945.79 Safari/537.36 WebAppManager", "", "", "dash", None),  # webOS TV 6
    ("Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36 (KHTML, like Gecko) "
     "QtWebEngine/5.2.1 Chrome/38.0.2125.122 Safari/537.36 WebAppManager", "", "", "dash",
     None),  # webOS TV 3
    ("Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/538.2 (KHTML, like Gecko) Large Screen "
     "WebAppManager Safari/538.2", "", "", "hls", None),  # webOS TV 2: WebKit, HLS
    ("HbbTV/1.2.1 (;Panasonic;VIERA 2013;3.672;4101-0003 0002-0000;)", "", "", "dash", None),
    ("Opera/9.80 (Linux sh4; HbbTV/1.2.1 (+PVR; Loewe; SL220; LOH/2.1.36.0;;) CE-HTML/1.0 "
     "Config(L:deu,CC:DEU) NETRANGEMMH) Presto/2.12.362 Version/12.10", "", "", "dash", None),
    ("Mozilla/5.0 (Linux armv7l) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/53.0.2785.143 "
     "Safari/537.36 OPR/40.0.2207.0 OMI/ Model/Vestel-MB211 VSTVB MB200 HbbTV/1.2.1 (; JVC; "
     "MB211;; _TV_NT72563_2017 SmartTvA/3.0.0", "", "", "dash", None),
    ("Opera/9.80 (Linux mips; U; HbbTV/1.1.1 (; Philips; ; ; ; ) CE-HTML/1.0 NETTV/3.2.1; en) "
     "Presto/2.6.33 Version/10.70", "", "", "hls", None),  # HbbTV 1.0: HLS, even Presto ones
    ("Mozilla/5.0 (Unknown; Linux armv7l) AppleWebKit/537.1+ HbbTV/1.1.1 (; LGE; WEBOS1; "
     "03.23.31; 1H13;)", "", "", "hls", None),  # HbbTV 1.0 on webOS 1
    # ExoPlayer and Media3 apps (the form of their Util.getUserAgent) stay on HLS: their DASH
    # module is optional (devices.xml)
    ("MyApp/1.0 (Linux;Android 11) ExoPlayerLib/2.18.1", "", "", "hls", None),
    ("MyApp/1.0 (Linux; Android 13) AndroidXMedia3/1.1.1", "", "", "hls", None),
    ("Opera/9.80 (Windows NT 6.1; U; en) Presto/2.10.289 Version/12.02", "", "", "mp4", 1080),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0", "?0", '"Windows"', "hls", None),
    ("Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0)", "", "", "mp4", 1080),
    ("Mozilla/5.0 (Windows NT 6.1; Trident/7.0; rv:11.0) like Gecko", "", "", "hls", None),
    ("Nokia6300/2.0 (05.00) Profile/MIDP-2.0 Configuration/CLDC-1.1", "", "", "mp4", 360),
    ("", "", "", "hls", None),  # no user agent at all: HLS, the likelier to work
    ("curl/8.5.0", "", "", "hls", None),
]
r, got = route(["\t".join(x[:3]) for x in OWN])
for case, g in zip(OWN, got):
    c.equal(g[:2], (case[3], case[4]), f"{case[0][:70]!r} (CH {case[1]!r} {case[2]!r}) -> {g[2]}")
c.equal(len(got), len(OWN), "every own case is routed")

# --- a broken rule file: one FILE:LINE error, exit 1 -------------------------------------------
d = workdir()
for name, body, needle in [
    ("bad-format.xml", '<rule name="x" format="webm"/>', "format"),
    ("bad-regex.xml", '<rule name="x" user-agent="Android(" format="hls"/>', "bad user-agent pattern"),
    ("no-rules.xml", "", "rule"),
    # Bounds on repeated parts multiply inside regcomp: gigabytes for a 1 KB pattern.
    ("nested-bounds.xml", '<rule name="x" user-agent="(a{1,200}b){1,200}" format="hls"/>',
     "too costly"),
    ("stacked-bounds.xml", '<rule name="x" user-agent="a{1,9}{1,9}" format="hls"/>',
     "too costly"),
    ("star-bound.xml", '<rule name="x" user-agent="(a+){2}" format="hls"/>', "too costly"),
    ("stacked-plus.xml", '<rule name="x" user-agent="a' + "+" * 22 + '" format="hls"/>',
     "too costly"),
    ("nested-plus.xml", '<rule name="x" user-agent="(((a+)+)+)+" format="hls"/>', "too costly"),
    ("big-bound.xml", '<rule name="x" user-agent="a{1,30000}" format="hls"/>', "too costly"),
]:
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write('<?xml version="1.0"?>\n<devices xmlns="urn:ladder:devices:1" name="t">\n'
                f"{body}\n</devices>\n")
    r = ladder("profiles", "route", path, input="")
    lines = r.stderr.strip().splitlines()
    c.check(r.returncode == 1 and len(lines) == 1 and f"{name}:" in lines[0] and needle in lines[0],
            f"{name}: one error line naming the file and the problem ({r.returncode}, {lines})")
# A bound on a plain atom or a flat group is fine.
path = os.path.join(d, "fine-bounds.xml")
with open(path, "w") as f:
    f.write('<?xml version="1.0"?>\n<devices xmlns="urn:ladder:devices:1" name="t">\n'
            '<rule name="x" user-agent="Android [0-9]{1,2}(\\.[0-9]+)*[;)]" format="mp4"/>\n'
            '</devices>\n')
r = ladder("profiles", "route", path, input="Mozilla/5.0 (Linux; Android 4.4.2; X)\t\t\n")
c.check(r.returncode == 0 and r.stdout.startswith("mp4"), f"bounded pattern loads and routes ({r.stdout!r} {r.stderr!r})")
cleanup(d)
c.done()
