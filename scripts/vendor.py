#!/usr/bin/env python3
"""Vendor the pinned front-end packages into ``gridgov/web/static/vendor/``.

GridGov serves every script and style sheet itself: no CDN, so the platform works on a
government intranet with no internet access. This script downloads each pinned package from
the npm registry, checks the tarball against the pinned integrity hash (sha512, as published by
the registry), copies only the distribution files the pages use, and writes
``vendor.json`` and ``VENDORED.md`` (name, version, licence, files, sha256).

    python scripts/vendor.py            # download and (re)write the vendor folder
    python scripts/vendor.py --check    # verify the committed files against vendor.json

To upgrade: change ``version`` and ``integrity`` below (``npm view <name>@<version>
dist.integrity``), run the script, look at the diff, run the browser tests.
"""

import argparse
import base64
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile
import urllib.request
from pathlib import Path

REGISTRY = os.environ.get("NPM_REGISTRY", "https://registry.npmjs.org").rstrip("/")
ROOT = Path(__file__).resolve().parent.parent
VENDOR_DIR = ROOT / "gridgov" / "web" / "static" / "vendor"

# name -> pinned version, registry integrity, licence, and tarball member -> vendored path.
PACKAGES = [
    {
        "name": "leaflet",
        "version": "1.9.4",
        "integrity": (
            "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb"
            "+FA74PA=="
        ),
        "license": "BSD-2-Clause",
        "homepage": "https://leafletjs.com/",
        "files": {
            "package/dist/leaflet.js": "leaflet/leaflet.js",
            "package/dist/leaflet.js.map": "leaflet/leaflet.js.map",
            "package/dist/leaflet.css": "leaflet/leaflet.css",
            "package/dist/images/layers.png": "leaflet/images/layers.png",
            "package/dist/images/layers-2x.png": "leaflet/images/layers-2x.png",
            "package/dist/images/marker-icon.png": "leaflet/images/marker-icon.png",
            "package/dist/images/marker-icon-2x.png": "leaflet/images/marker-icon-2x.png",
            "package/dist/images/marker-shadow.png": "leaflet/images/marker-shadow.png",
            "package/LICENSE": "leaflet/LICENSE",
        },
    },
    {
        "name": "htmx.org",
        "version": "2.0.11",
        "integrity": (
            "sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636"
            "dtamA=="
        ),
        "license": "0BSD",
        "homepage": "https://htmx.org/",
        "files": {
            "package/dist/htmx.min.js": "htmx/htmx.min.js",
            "package/LICENSE": "htmx/LICENSE",
        },
    },
    {
        "name": "leaflet.markercluster",
        "version": "1.5.3",
        "integrity": (
            "sha512-vPTw/Bndq7eQHjLBVlWpnGeLa3t+3zGiuM7fJwCkiMFq+nmRuG3RI3f7f4N4TDX7T4NpbAXpR2+NTRSEGf"
            "CSeA=="
        ),
        "license": "MIT",
        "homepage": "https://github.com/Leaflet/Leaflet.markercluster",
        "files": {
            "package/dist/leaflet.markercluster.js": "markercluster/leaflet.markercluster.js",
            "package/dist/MarkerCluster.css": "markercluster/MarkerCluster.css",
            "package/dist/MarkerCluster.Default.css": "markercluster/MarkerCluster.Default.css",
            "package/MIT-LICENCE.txt": "markercluster/MIT-LICENCE.txt",
        },
    },
    {
        "name": "echarts",
        "version": "6.1.0",
        "integrity": (
            "sha512-q0yaFPggC9FUdsWH4blavRWFmxdrIodbkoKNAjJudAI6CA9gNPxHtV2RcZNEepZVlk4yvBYkOkbk6HIVpI"
            "yHZA=="
        ),
        "license": "Apache-2.0",
        "homepage": "https://echarts.apache.org/",
        "files": {
            "package/dist/echarts.min.js": "echarts/echarts.min.js",
            "package/NOTICE": "echarts/NOTICE",
            "package/licenses/LICENSE-d3": "echarts/LICENSE-d3",
            "package/LICENSE": "echarts/LICENSE",
        },
    },
    {
        # The live view's player (gridgov/video): the light build (HLS without subtitles,
        # alternate audio, DRM or CMCD), which is all a camera's stream needs.
        "name": "hls.js",
        "version": "1.7.4",
        "integrity": (
            "sha512-3GlxGdPvT2YHvQYOt+yOzT/DEior/qJVNIylHA77kgeoBTdQQqi70GwefNEUmHQeNGyjC8U62+bruq"
            "W/Tpm+tg=="
        ),
        "license": "Apache-2.0",
        "homepage": "https://github.com/video-dev/hls.js",
        "files": {
            "package/dist/hls.light.min.js": "hls/hls.light.min.js",
            "package/LICENSE": "hls/LICENSE",
        },
    },
]


def fetch(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "gridgov-vendor/1"})
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (fixed https URL)
        return response.read()


def check_integrity(data: bytes, integrity: str) -> None:
    algo, _, expected = integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algo, data).digest()).decode("ascii")
    if actual != expected:
        raise SystemExit(f"integrity mismatch: expected {integrity}, got {algo}-{actual}")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def vendor_package(package: dict) -> dict:
    name, version = package["name"], package["version"]
    meta = json.loads(fetch(f"{REGISTRY}/{name}/{version}"))
    if meta.get("dist", {}).get("integrity") != package["integrity"]:
        raise SystemExit(f"{name}@{version}: registry integrity differs from the pinned one")
    tarball = fetch(meta["dist"]["tarball"])
    check_integrity(tarball, package["integrity"])
    files = []
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as tar:
        for member, target in package["files"].items():
            extracted = tar.extractfile(member)
            if extracted is None:
                raise SystemExit(f"{name}@{version}: {member} is not a file in the tarball")
            out = VENDOR_DIR / target
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(extracted.read())
            files.append({"path": target, "sha256": sha256(out), "bytes": out.stat().st_size})
    print(f"vendored {name}@{version}: {len(files)} files")
    return {
        "name": name,
        "version": version,
        "license": package["license"],
        "homepage": package["homepage"],
        "tarball": meta["dist"]["tarball"],
        "integrity": package["integrity"],
        "files": files,
    }


def write_markdown(manifest: list[dict]) -> None:
    lines = [
        "# Vendored front-end packages",
        "",
        "Written by `scripts/vendor.py` (do not edit by hand). GridGov serves these files",
        "itself; pages never load anything from a CDN. `python scripts/vendor.py --check`",
        "verifies the files against `vendor.json`.",
        "",
    ]
    for pkg in manifest:
        lines += [
            f"## {pkg['name']} {pkg['version']}",
            "",
            f"- licence: {pkg['license']} (text in `{pkg['files'][-1]['path']}`)",
            f"- home page: {pkg['homepage']}",
            f"- source: {pkg['tarball']}",
            f"- integrity: `{pkg['integrity']}`",
            "",
            "| file | bytes | sha256 |",
            "|---|---:|---|",
        ]
        lines += [f"| `{f['path']}` | {f['bytes']} | `{f['sha256']}` |" for f in pkg["files"]]
        lines.append("")
    (VENDOR_DIR / "VENDORED.md").write_text("\n".join(lines), encoding="utf-8")


def check() -> int:
    manifest_path = VENDOR_DIR / "vendor.json"
    if not manifest_path.exists():
        print(f"missing {manifest_path}; run scripts/vendor.py", file=sys.stderr)
        return 1
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    pinned = {(p["name"], p["version"]) for p in PACKAGES}
    bad = 0
    for pkg in manifest:
        if (pkg["name"], pkg["version"]) not in pinned:
            print(f"{pkg['name']}@{pkg['version']} is not the pinned version", file=sys.stderr)
            bad += 1
        for f in pkg["files"]:
            path = VENDOR_DIR / f["path"]
            if not path.exists() or sha256(path) != f["sha256"]:
                print(f"changed or missing: {f['path']}", file=sys.stderr)
                bad += 1
    print("vendor files OK" if not bad else f"{bad} problem(s)")
    return 1 if bad else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify instead of downloading")
    args = parser.parse_args(argv)
    if args.check:
        return check()
    for sub in {Path(t).parts[0] for p in PACKAGES for t in p["files"].values()}:
        shutil.rmtree(VENDOR_DIR / sub, ignore_errors=True)
    VENDOR_DIR.mkdir(parents=True, exist_ok=True)
    manifest = [vendor_package(p) for p in PACKAGES]
    (VENDOR_DIR / "vendor.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    write_markdown(manifest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
