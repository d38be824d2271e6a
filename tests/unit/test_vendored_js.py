"""The vendored JavaScript (web/static/vendor/: @noble/curves and @noble/hashes) is what
its SHA256SUMS says, nothing more, and the vote page's import map pins the same bytes.

- every file of static/vendor/ but SHA256SUMS is listed there, with its SHA-256;
- every vendored module's imports resolve to a vendored file (none is missing);
- templates/vote.html's import map is exactly `import_map_text()`: the two bare prefixes
  and one SHA-384 `integrity` entry per vendored module (Chromium refuses a module whose
  bytes differ, since version 127);
- the Content-Security-Policy allows that inline import map by its SHA-256.

`python tests/unit/test_vendored_js.py` prints the import map (to paste into vote.html
after an update) and the CSP source that allows it. docs/browser-v2.md says how to update.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path, PurePosixPath

import inmc_vote

WEB = Path(inmc_vote.__file__).parent / "web"
VENDOR = WEB / "static" / "vendor"
SUMS = VENDOR / "SHA256SUMS"
TEMPLATE = WEB / "templates" / "vote.html"
PACKAGES = {"@noble/curves/": "noble-curves", "@noble/hashes/": "noble-hashes"}
VERSIONS = {"noble-curves": "2.4.0", "noble-hashes": "2.4.0"}
INTEGRITY = {
    "noble-curves": "sha512-P4/62zrgfH33CneE3Dn4WhJVA22YUU0eR51wKIan4NVRvwsA0YnPTwWGpNbpuacSujmSFL"
    "vyzpyuR30+fbq2Ew==",
    "noble-hashes": "sha512-X5XaVWZIBCT7HHZGm5I7ZQXDwLG+bGXuSrMQAW+7Zvl87h1kmc1ZB1VSRJcpUfoUrGQp4F"
    "koxm5kZ+Ms+aW+eA==",
}
IMPORT_MAP = re.compile(r'<script type="importmap">(.*?)</script>', re.S)
# import/export ... from "x";  import "x";  (the vendored files use no dynamic import())
IMPORT = re.compile(
    r"""^\s*(?:import|export)\s[^;]*?\bfrom\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']""",
    re.M | re.S,
)


def vendored_files() -> list[str]:
    return sorted(
        p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*") if p.is_file() and p != SUMS
    )


def listed() -> dict[str, str]:
    sums: dict[str, str] = {}
    for number, line in enumerate(SUMS.read_text(encoding="utf-8").splitlines(), 1):
        match = re.fullmatch(r"([0-9a-f]{64})  ([\w./-]+)", line)
        assert match, f"SHA256SUMS line {number} is not `<sha256>  <path>`: {line!r}"
        digest, name = match.groups()
        path = PurePosixPath(name)
        assert not path.is_absolute(), name
        assert ".." not in path.parts, name
        assert name not in sums, f"{name} is listed twice"
        sums[name] = digest
    return sums


def sri(path: Path) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


def import_map_text() -> str:
    """The import map of the vote page, byte for byte as it must stand in vote.html."""
    value = {
        "imports": {prefix: f"/static/vendor/{folder}/" for prefix, folder in PACKAGES.items()},
        "integrity": {
            f"/static/vendor/{name}": sri(VENDOR / name)
            for name in vendored_files()
            if name.endswith(".js")
        },
    }
    return "\n" + json.dumps(value, indent=2) + "\n"


def csp_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_every_vendored_file_is_listed_with_its_hash() -> None:
    sums = listed()
    files = vendored_files()
    assert sorted(sums) == files, (
        f"unlisted: {sorted(set(files) - set(sums))}, missing: {sorted(set(sums) - set(files))}"
    )
    drifted = [
        name
        for name in files
        if hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() != sums[name]
    ]
    assert drifted == [], f"these vendored files differ from SHA256SUMS: {drifted}"


def test_each_package_has_its_licence_and_provenance() -> None:
    for folder, version in VERSIONS.items():
        assert (VENDOR / folder / "LICENSE").read_text().startswith("The MIT License")
        note = (VENDOR / folder / "VENDORED.md").read_text()
        assert version in note, folder
        assert INTEGRITY[folder] in note, folder


def test_every_import_of_a_vendored_module_is_vendored() -> None:
    for name in vendored_files():
        if not name.endswith(".js"):
            continue
        source = (VENDOR / name).read_text(encoding="utf-8")
        for match in IMPORT.finditer(source):
            spec = match.group(1) or match.group(2)
            if spec.startswith("."):
                target = (VENDOR / name).parent / spec
            else:
                prefix = next((p for p in PACKAGES if spec.startswith(p)), None)
                assert prefix, f"{name} imports {spec!r}, which the import map does not map"
                target = VENDOR / PACKAGES[prefix] / spec[len(prefix) :]
            assert target.resolve().is_file(), f"{name} imports {spec!r}, not vendored"


def test_the_vote_page_import_map_pins_the_vendored_bytes() -> None:
    template = TEMPLATE.read_text(encoding="utf-8")
    maps = IMPORT_MAP.findall(template)
    assert len(maps) == 1, "vote.html has one import map"
    assert "{{" not in maps[0], "the import map is plain text (its CSP hash)"
    assert "{%" not in maps[0], "the import map is plain text (its CSP hash)"
    assert maps[0] == import_map_text(), (
        "vote.html's import map is stale: `python tests/unit/test_vendored_js.py` prints it"
    )
    # before the module that needs it
    assert template.index('<script type="importmap">') < template.index("/static/ballot/vote.js")


def test_the_csp_allows_the_import_map() -> None:
    from inmc_vote.web.security_headers import SECURITY_HEADERS

    policy = SECURITY_HEADERS["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    needed = csp_source(import_map_text())
    assert needed in script_src.split(), (
        f"Chromium runs an inline import map only if script-src allows it: add {needed} "
        f"to script-src in web/security_headers.py (now {script_src.strip()!r})"
    )


if __name__ == "__main__":  # print what vote.html and the CSP must carry
    text = import_map_text()
    print(f'<script type="importmap">{text}</script>')
    print(f"script-src source: {csp_source(text)}")
