#!/usr/bin/env python3
"""Re-runs every example in README.md and pastes the real output back.

A fenced block whose first line is `$ chipwright ARGS` (continued with a
trailing backslash) is re-run as ./build/chipwright ARGS; the block after the
quick-start paragraph (first line 'llama3.1-70b at fp8 (tp auto)') is the
output of `./build/chipwright compare`. Run from anywhere after a build."""
import os, shlex, subprocess

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.chdir(root)
lines = open("README.md").read().split("\n")


def run(args):
    # An example may show an error: its message (stderr) is the output then.
    out = subprocess.run(["./build/chipwright"] + args, capture_output=True, text=True)
    return (out.stdout + out.stderr).rstrip("\n").split("\n")


out, i = [], 0
while i < len(lines):
    line = lines[i]
    out.append(line)
    i += 1
    if not line.startswith("```"):
        continue
    end = i
    while not lines[end].startswith("```"):
        end += 1
    body = lines[i:end]
    if line == "```" and body and body[0].startswith("$ chipwright "):
        n = 0
        while body[n].endswith("\\"):
            n += 1
        cmd = " ".join(b.rstrip("\\").strip() for b in body[: n + 1])
        body = body[: n + 1] + run(shlex.split(cmd)[2:])
    elif line == "```" and body and body[0].startswith("llama3.1-70b at fp8 (tp auto)"):
        body = run(["compare"])
    out.extend(body)
    out.append(lines[end])
    i = end + 1
open("README.md", "w").write("\n".join(out))
