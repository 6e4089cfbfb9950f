"""test_layers.py: dependencies between Ladder's components run one way, as docs/architecture.md
draws them: core; media and profiles; transcoder, packager and validator; library and queue;
origin and cli. Every #include "x.h" of a component's files must name its own headers or a public header of
a component allowed below it, and no file includes another component's internal header."""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PUBLIC = {"ladder.h": "core", "media.h": "media", "media_av.h": "media", "ladder_xml.h": "xml",
          "profiles.h": "profiles", "devices.h": "devices",
          "transcoder.h": "transcoder", "packager.h": "packager", "validator.h": "validator",
          "library.h": "library", "origin.h": "origin",
          "queue.h": "queue"}
ALLOWED = {
    "core": set(),
    "media": {"core"},
    "xml": {"core"},
    "profiles": {"core", "xml"},
    "devices": {"core", "xml"},
    "transcoder": {"core", "media", "profiles"},
    "packager": {"core", "media", "profiles"},
    "validator": {"core", "media", "profiles"},
    "library": {"core"},
    "origin": {"core", "library", "devices"},
    "queue": {"core"},
    "cli": {"core", "media", "profiles", "devices", "transcoder", "packager", "validator", "library", "origin",
            "queue"},
}
failures, checked = [], 0
for comp, allowed in ALLOWED.items():
    folder = os.path.join(ROOT, comp)
    own = {f for f in os.listdir(folder) if f.endswith(".h")}
    for name in sorted(os.listdir(folder)):
        if not name.endswith((".c", ".h")):
            continue
        with open(os.path.join(folder, name)) as f:
            for header in re.findall(r'^#include "([^"]+)"', f.read(), re.M):
                checked += 1
                if header in own:
                    continue
                owner = PUBLIC.get(header)
                if owner is None:
                    failures.append(f"{comp}/{name}: includes {header}, which is not a public header")
                elif owner not in allowed:
                    failures.append(f"{comp}/{name}: includes {header} ({owner}); {comp} may use "
                                    f"{sorted(allowed) or 'nothing'}")
for f in failures:
    print("FAIL", f)
print(f"layers: {checked} includes checked, {len(failures)} out of order")
sys.exit(1 if failures or checked == 0 else 0)
