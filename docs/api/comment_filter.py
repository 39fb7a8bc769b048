#!/usr/bin/env python3
"""Doxygen INPUT_FILTER for weft's headers, which use plain `//` comments (the house style).

A comment block standing on its own lines becomes a `///` block, so it documents the
declaration after it; section rulers (`// --- time ---`) stay plain comments. In those
blocks `<` outside backticks is escaped, so prose such as "a Deferred<U>" is not read as an
HTML tag (<u> is underline, and an unclosed one is a Doxygen error)."""
import re
import sys

COMMENT = re.compile(r"^(\s*)//( |$)(.*)$")


def escape_outside_code(text):
    parts = text.split("`")
    for i in range(0, len(parts), 2):  # even pieces are outside `code spans`
        parts[i] = parts[i].replace("<", "\\<")
    return "`".join(parts)


def main(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            m = COMMENT.match(line)
            if m and not m.group(3).startswith("---"):
                line = f"{m.group(1)}///{m.group(2)}{escape_outside_code(m.group(3))}"
            print(line)


if __name__ == "__main__":
    main(sys.argv[1])
