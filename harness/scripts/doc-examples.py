#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# doc-examples.py INCLUDE LIBDIR OUTDIR FILE...
#
# Compile every C example of the project's documents against the installed
# UAPI headers (INCLUDE, build/usr/include) and the consumer helper (LIBDIR,
# tools/lib/watch_queue), so that no example drifts from the code.  A C
# example is:
#   - in rST, a ".. code-block:: c" directive;
#   - in Markdown, a fenced block opened with "```c";
#   - in a man page (roff), an .EX/.EE block right after a marker comment,
#     and, in sections 2 and 3 (system calls and functions: their examples
#     are C), every .EX/.EE block of EXAMPLES.  A page of another section
#     (watchq(1)'s shell examples) marks its C blocks.
# A marker comment right before the block (an rST comment, an HTML comment
# in Markdown, a roff comment) says what kind of C it is:
#
#     .. c-example: KIND             <!-- c-example: KIND -->
#                                    .\" c-example: KIND
#
#   program       a whole translation unit, compiled as it is (the default
#                 when there is no marker);
#   fragment      statements, compiled as the body of a function; the
#                 marker comment's further lines are file-scope
#                 declarations put before that function (the variables the
#                 fragment uses);
#   declarations  file-scope declarations (prototypes, structs).  A struct,
#                 union or enum defined in it must be, token for token
#                 (comments and blank space aside), the one of the installed
#                 headers, and is left out of what is compiled, which the
#                 header defines already.
# Fragments and declarations are compiled after _GNU_SOURCE and the common
# headers below.  Every example is compiled with -Wall -Wextra -Werror -c,
# with #line directives, so that a message names the document and its line.
# Prints one line per failing example; exits 1 if any failed, 2 on a marker
# it does not know.
import os
import re
import shutil
import subprocess
import sys

COMMON = """#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/keyctl.h>
#include <linux/mount.h>
#include "watchq.h"
"""

KINDS = ("program", "fragment", "declarations")
MARKER = re.compile(r"c-example:\s*(\S+)\s*$")


class Example:
    """One C block: where it is, its kind, its text and its prologue."""

    def __init__(self, path, line, kind, text, prologue, pline):
        self.path, self.line, self.kind = path, line, kind
        self.text, self.prologue, self.pline = text, prologue, pline


def dedent(lines):
    """Strip the common indentation (tabs count as 8 columns)."""
    lines = [l.expandtabs(8) for l in lines]
    ind = min((len(l) - len(l.lstrip()) for l in lines if l.strip()),
              default=0)
    return [l[ind:] for l in lines]


def rst_examples(path, lines):
    """The ".. code-block:: c" blocks of an rST document."""
    out = []
    for i, l in enumerate(lines):
        m = re.match(r"(\s*)\.\. code-block::\s*c\s*$", l)
        if not m:
            continue
        base = len(m.group(1).expandtabs(8))
        # An rST comment before it (across blank lines) is the marker.
        kind, prologue, pline = "program", [], 0
        j = i - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        body = []
        while j >= 0:
            s = lines[j].expandtabs(8)
            if s.strip() and len(s) - len(s.lstrip()) <= base:
                mm = re.match(r"\s*\.\.\s+" + MARKER.pattern, s)
                if mm:
                    kind = mm.group(1)
                    prologue = dedent(list(reversed(body)))
                    pline = j + 2
                break
            body.append(lines[j])
            j -= 1
        # The directive's content: the indented lines after it.
        k = i + 1
        while k < len(lines) and not lines[k].strip():
            k += 1
        start = k
        block = []
        while k < len(lines):
            s = lines[k].expandtabs(8)
            if s.strip() and len(s) - len(s.lstrip()) <= base:
                break
            block.append(lines[k])
            k += 1
        while block and not block[-1].strip():
            block.pop()
        out.append(Example(path, start + 1, kind, dedent(block),
                           prologue, pline))
    return out


def md_examples(path, lines):
    """The ```c fenced blocks of a Markdown document."""
    out = []
    i = 0
    while i < len(lines):
        if lines[i].strip() != "```c":
            i += 1
            continue
        kind, prologue, pline = "program", [], 0
        j = i - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        if j >= 0 and lines[j].strip().endswith("-->"):
            k = j
            while k >= 0 and "<!--" not in lines[k]:
                k -= 1
            mm = k >= 0 and re.match(r"\s*<!--\s*" + MARKER.pattern,
                                     lines[k].replace("-->", ""))
            if mm:
                kind = mm.group(1)
                prologue = [l for l in lines[k + 1:j + 1]]
                if prologue:
                    prologue[-1] = prologue[-1].replace("-->", "")
                pline = k + 2
        k = i + 1
        while k < len(lines) and lines[k].strip() != "```":
            k += 1
        out.append(Example(path, i + 2, kind, lines[i + 1:k], prologue,
                           pline))
        i = k + 1
    return out


def roff_text(line):
    """A line of an .EX block as C: undo roff's escapes."""
    for a, b in (("\\-", "-"), ("\\(aq", "'"), ("\\(dq", '"'),
                 ("\\[aq]", "'"), ("\\[dq]", '"'), ("\\(ti", "~"),
                 ("\\(ha", "^"), ("\\&", ""), ("\\e", "\\")):
        line = line.replace(a, b)
    return line


def man_examples(path, lines):
    """The .EX blocks after a marker, and of EXAMPLES in sections 2 and 3."""
    c_examples = re.search(r"\.[23]$", path) is not None
    out = []
    section = ""
    marker = None
    i = 0
    while i < len(lines):
        l = lines[i]
        if l.startswith(".SH"):
            section = l[3:].strip().strip('"')
            marker = None
        mm = re.match(r'\.\\"\s*' + MARKER.pattern, l)
        if mm:
            marker = (mm.group(1), i)
        if l.strip() == ".EX":
            k = i + 1
            while k < len(lines) and lines[k].strip() != ".EE":
                k += 1
            block = [roff_text(x) for x in lines[i + 1:k]]
            if marker or (c_examples and section == "EXAMPLES"):
                kind = marker[0] if marker else "program"
                prologue, pline = [], 0
                if marker:
                    # The marker's further comment lines are the prologue.
                    m = marker[1] + 1
                    while m < i and lines[m].startswith('.\\"'):
                        prologue.append(roff_text(lines[m][3:]))
                        m += 1
                    pline = marker[1] + 2
                out.append(Example(path, i + 2, kind, block, prologue, pline))
            marker = None
            i = k
        i += 1
    return out


def strip_comments(text):
    return re.sub(r"/\*.*?\*/|//[^\n]*", " ", text, flags=re.S)


def tokens(text):
    text = "\n".join(l for l in strip_comments(text).split("\n")
                     if not l.lstrip().startswith("#"))
    return re.findall(r"\w+|[^\s\w]", text)


DEF = re.compile(r"^(struct|union|enum)\s+(\w+)\s*\{", re.M)


def definitions(text):
    """The struct, union and enum definitions of C text: (kind, name, span)."""
    out = []
    for m in DEF.finditer(text):
        depth, k = 0, m.end() - 1
        while k < len(text):
            if text[k] == "{":
                depth += 1
            elif text[k] == "}":
                depth -= 1
                if depth == 0:
                    break
            k += 1
        end = text.index(";", k) + 1
        out.append((m.group(1), m.group(2), (m.start(), end)))
    return out


def header_definitions(include):
    """Every struct, union and enum definition of the installed headers."""
    defs = {}
    for d in ("linux", "asm", "asm-generic"):
        top = os.path.join(include, d)
        for root, _, files in os.walk(top):
            for f in files:
                if not f.endswith(".h"):
                    continue
                p = os.path.join(root, f)
                text = strip_comments(open(p, errors="replace").read())
                for kind, name, (a, b) in definitions(text):
                    defs.setdefault((kind, name), []).append(
                        (p, tokens(text[a:b])))
    return defs


def check_definitions(ex, text, defs):
    """Compare the block's definitions to the headers; return the rest."""
    errors = []
    plain = strip_comments(text)
    # Keep the line numbers: blank out what is dropped, keep newlines.
    kept = list(plain)
    for kind, name, (a, b) in definitions(plain):
        theirs = defs.get((kind, name))
        mine = tokens(plain[a:b])
        line = ex.line + plain.count("\n", 0, a)
        if not theirs:
            errors.append("%s:%d: %s %s is in no installed header"
                          % (ex.path, line, kind, name))
        elif not any(t == mine for _, t in theirs):
            p, t = theirs[0]
            n = 0
            while n < min(len(t), len(mine)) and t[n] == mine[n]:
                n += 1
            errors.append("%s:%d: %s %s differs from %s: '%s' where the "
                          "header has '%s'"
                          % (ex.path, line, kind, name, p,
                             " ".join(mine[max(0, n - 3):n + 3]),
                             " ".join(t[max(0, n - 3):n + 3])))
        for k in range(a, b):
            if kept[k] != "\n":
                kept[k] = " "
    return errors, "".join(kept)


def source(ex, defs):
    """The C file to compile for an example, and any definition errors."""
    text = "\n".join(ex.text) + "\n"
    q = ex.path.replace("\\", "\\\\").replace('"', '\\"')
    if ex.kind == "program":
        return [], '#line %d "%s"\n%s' % (ex.line, q, text)
    out = COMMON
    if ex.prologue:
        out += '#line %d "%s"\n%s\n' % (ex.pline, q, "\n".join(ex.prologue))
    if ex.kind == "fragment":
        return [], out + ('void doc_example(void);\nvoid doc_example(void)\n'
                          '{\n#line %d "%s"\n%s}\n' % (ex.line, q, text))
    errors, rest = check_definitions(ex, text, defs)
    return errors, out + '#line %d "%s"\n%s' % (ex.line, q, rest)


def main():
    include, libdir, outdir = sys.argv[1:4]
    files = sys.argv[4:]
    shutil.rmtree(outdir, ignore_errors=True)  # no stale examples
    os.makedirs(outdir)
    defs = header_definitions(include)
    cc = os.environ.get("CC", "gcc").split()
    cflags = ["-Wall", "-Wextra", "-Werror", "-isystem", include,
              "-I", libdir, "-c", "-o", "/dev/null"]
    examples = []
    for f in files:
        lines = open(f).read().split("\n")
        if f.endswith(".rst"):
            examples += rst_examples(f, lines)
        elif f.endswith(".md"):
            examples += md_examples(f, lines)
        elif re.search(r"\.[1-9]$", f):
            examples += man_examples(f, lines)
    bad = 0
    for n, ex in enumerate(examples):
        if ex.kind not in KINDS:
            print("%s:%d: unknown c-example kind '%s' (one of: %s)"
                  % (ex.path, ex.line, ex.kind, ", ".join(KINDS)))
            return 2
        errors, src = source(ex, defs)
        name = os.path.join(outdir, "%03d-%s-%d.c"
                            % (n, os.path.basename(ex.path), ex.line))
        with open(name, "w") as fp:
            fp.write(src)
        r = subprocess.run(cc + cflags + [name], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if r.returncode or r.stdout:
            errors.append(r.stdout.rstrip() or "the compiler failed")
        if errors:
            bad += 1
            print("%s:%d: C example (%s) fails (%s)"
                  % (ex.path, ex.line, ex.kind, name))
            for e in errors:
                print("    " + e.replace("\n", "\n    "))
    print("%d C examples in %d files, %d failing" %
          (len(examples), len(files), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
