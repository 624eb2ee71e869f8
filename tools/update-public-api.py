#!/usr/bin/env python3
"""Rewrites each shipped project's PublicAPI.Unshipped.txt from the public API analyzer's own diagnostics.

Usage: python3 tools/update-public-api.py   (from anywhere; builds Release)

Every shipped project (Runtime/*, Clients/dotnet/*) is built once with its Unshipped file emptied and the API rules as
warnings; each compilation writes its diagnostics as SARIF (PublicApi.props, PublicApiLogDirectory). Every RS0016
("not part of the declared public API") result carries the analyzer's line for the file in its APIName property: those
lines, sorted, become the new Unshipped file. Symbols in PublicAPI.Shipped.txt stay there; a shipped symbol that no
longer exists (RS0017) is reported, not removed: removing shipped API is a breaking change to decide by hand.
The lists of the two target frameworks must be equal (one pair of files per project); the script fails if they differ.
"""

import json
import re
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = "#nullable enable\n"


def shipped_projects():
    for parent in (ROOT / "Runtime", ROOT / "Clients" / "dotnet"):
        for project in sorted(parent.glob("*/*.csproj")):
            yield project


def main():
    projects = list(shipped_projects())
    originals = {}
    for project in projects:
        unshipped = project.parent / "PublicAPI.Unshipped.txt"
        shipped = project.parent / "PublicAPI.Shipped.txt"
        if not shipped.exists():
            shipped.write_text(HEADER)
        originals[unshipped] = unshipped.read_text() if unshipped.exists() else None
        # Written even when unchanged: the new timestamp makes every compilation run again and write its log.
        unshipped.write_text(HEADER)

    solution = ROOT / ".public-api.slnx"
    solution.write_text("<Solution>\n" + "".join(
        f'  <Project Path="{p.relative_to(ROOT).as_posix()}" />\n' for p in projects) + "</Solution>\n")
    ok = False
    try:
        with tempfile.TemporaryDirectory(prefix="public-api-") as logs:
            build = subprocess.run(
                ["dotnet", "build", str(solution), "-c", "Release", "-nologo", "-v:q", "-clp:ErrorsOnly",
                 f"-p:PublicApiLogDirectory={logs}"],
                cwd=ROOT, capture_output=True, text=True)
            if build.returncode != 0:
                print(build.stdout + build.stderr, file=sys.stderr)
                print("The build failed for another reason than the API files; nothing was changed.", file=sys.stderr)
                return 1
            ok = write_files(projects, Path(logs))
            return 0 if ok else 1
    finally:
        solution.unlink(missing_ok=True)
        if not ok:
            for path, text in originals.items():
                if text is None:
                    path.unlink(missing_ok=True)
                else:
                    path.write_text(text)


def write_files(projects, logs):
    ok = True
    for project in projects:
        name = project.stem
        logs_of_project = sorted(log for log in logs.glob("*.sarif")
                                 if re.fullmatch(re.escape(name) + r"\.net[0-9.]+\.sarif", log.name))
        if not logs_of_project:
            print(f"{name}: no diagnostics log was written", file=sys.stderr)
            return False
        per_framework = {}
        for log in logs_of_project:
            framework = log.name[len(name) + 1:-len(".sarif")]
            symbols = set()
            for run in json.loads(log.read_text())["runs"]:
                for result in run.get("results", []):
                    rule = result["ruleId"]
                    if result.get("suppressions"):
                        continue  # suppressed in source (SuppressMessage), as the build sees it
                    if rule == "RS0016":
                        symbols.add(result["properties"]["customProperties"]["APIName"])
                    elif rule.startswith("RS00"):
                        print(f"{name} ({framework}): {rule}: {result['message']['text']}", file=sys.stderr)
                        ok = False
            per_framework[framework] = symbols
        frameworks = sorted(per_framework)
        first = per_framework[frameworks[0]]
        for framework in frameworks[1:]:
            if per_framework[framework] != first:
                difference = sorted(first.symmetric_difference(per_framework[framework]))
                print(f"{name}: the public API of {frameworks[0]} and {framework} differ (per-framework files "
                      f"needed): {difference[:10]}", file=sys.stderr)
                ok = False
        if ok:
            lines = sorted(first, key=lambda line: line.encode("utf-8"))
            (project.parent / "PublicAPI.Unshipped.txt").write_text(HEADER + "".join(line + "\n" for line in lines))
            print(f"{name}: {len(lines)} unshipped symbols ({', '.join(frameworks)})")
    return ok


if __name__ == "__main__":
    sys.exit(main())
