"""Summarises a valgrind memcheck XML file (from valgrind.sh): leaked bytes by kind and memory
errors, split into records whose stack has a frame in our extension module (_miniaudio*.so, which
holds our C and the embedded miniaudio/stb_vorbis) and the rest.  Prints the stacks of our module's
records.  Exit status 1 if our module has a "definitely lost" record or any memory error.

    python tests/reliability/valgrind_summary.py OUTDIR/memcheck.*.xml
"""

import collections
import sys
import xml.etree.ElementTree as ET

OURS = "_miniaudio"
LEAK_KINDS = ("Leak_DefinitelyLost", "Leak_IndirectlyLost", "Leak_PossiblyLost")  # possible: only if shown


def frames(error):
    stack = error.find("stack")
    out = []
    for fr in stack.findall("frame") if stack is not None else []:
        out.append((fr.findtext("obj") or "?", fr.findtext("fn") or "?", fr.findtext("file") or "",
                    fr.findtext("line") or ""))
    return out


def origin_frames(error):
    """The second stack of an error, where valgrind has one: with --track-origins=yes, where an
    uninitialised value came from."""
    stacks = error.findall("stack")
    if len(stacks) < 2:
        return []
    return [(fr.findtext("obj") or "?", fr.findtext("fn") or "?", fr.findtext("file") or "",
             fr.findtext("line") or "") for fr in stacks[1].findall("frame")]


def is_ours(error):
    """Whether the stack passes through our module, and not first through tracemalloc's own
    bookkeeping (a trace record tracemalloc keeps for an allocation we made is tracemalloc's); for
    an uninitialised value, also whether it was made in our module (its origin stack)."""
    for obj, fn, file, _ in frames(error):
        if file.startswith("_tracemalloc.c"):
            return False
        if OURS in obj.rsplit("/", 1)[-1]:
            return True
    return any(OURS in obj.rsplit("/", 1)[-1] for obj, _, _, _ in origin_frames(error))


def leak_site(error):
    """The first function under the allocator that has a name (frames in libraries without symbols,
    e.g. libreadline, show as "?"), with its object file; "tracemalloc" for tracemalloc's records."""
    fr = frames(error)
    if any(file.startswith("_tracemalloc.c") for _, _, file, _ in fr):
        return "tracemalloc's own trace records"
    for obj, fn, _, _ in fr[1:]:
        if fn != "?" and not fn.startswith(("malloc", "calloc", "realloc", "gc_alloc", "_PyObject_New",
                                            "_PyObject_GC_New", "PyObject_Malloc", "PyMem_")):
            return "%s (%s)" % (fn, obj.rsplit("/", 1)[-1])
    return "?"


def documents(paths):
    """Each process's <valgrindoutput> document (a forked child may append a second one to a file)."""
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        end = b"</valgrindoutput>"
        start = 0
        while True:
            i = data.find(end, start)
            if i < 0:
                break
            head = data.find(b"<valgrindoutput>", start, i)
            if head < 0:  # a forked child carried on writing its parent's document
                chunk = b"<valgrindoutput><pid>forked child</pid>" + data[start:i + len(end)]
            else:
                chunk = data[head:i + len(end)]
            yield path, ET.fromstring(chunk)
            start = i + len(end)


def main(paths):
    errors_iter = []
    for path, root in documents(paths):
        pid = root.findtext("pid")
        argv = [root.findtext("args/argv/exe") or "?"] + [a.text or "" for a in root.findall("args/argv/arg")]
        print("process %s: %s" % (pid, " ".join(argv)[:150]))
        errors_iter.extend(root.iter("error"))
    leaked = collections.Counter()  # (kind, ours) -> bytes
    blocks = collections.Counter()
    errors = collections.Counter()  # (kind, ours) -> count
    ours_records = []
    elsewhere = collections.Counter()  # (kind, first named function) -> bytes
    for error in errors_iter:
        kind = error.findtext("kind")
        ours = is_ours(error)
        if kind in LEAK_KINDS:
            xwhat = error.find("xwhat")
            leaked[kind, ours] += int(xwhat.findtext("leakedbytes"))
            if not ours and kind != "Leak_PossiblyLost":
                elsewhere[kind, leak_site(error)] += int(xwhat.findtext("leakedbytes"))
            blocks[kind, ours] += int(xwhat.findtext("leakedblocks"))
            if ours and kind != "Leak_PossiblyLost":
                ours_records.append((kind, xwhat.findtext("text"), frames(error)))
        else:
            errors[kind, ours] += 1
            if ours:
                ours_records.append((kind, error.findtext("what"), frames(error)))
    print("leaks (bytes in blocks)          our module        elsewhere")
    for kind in LEAK_KINDS:
        print("  %-28s %10d in %-5d %10d in %d" % (kind[5:], leaked[kind, True], blocks[kind, True],
                                                 leaked[kind, False], blocks[kind, False]))
    kinds = sorted({k for k, _ in errors})
    print("memory errors (unique contexts): ours %d, elsewhere %d" % (
        sum(v for (k, o), v in errors.items() if o), sum(v for (k, o), v in errors.items() if not o)))
    for kind in kinds:
        print("  %-28s ours %d, elsewhere %d" % (kind, errors[kind, True], errors[kind, False]))
    print("definitely/indirectly lost elsewhere, by the first named function under the allocator:")
    for (kind, site), nbytes in elsewhere.most_common(8):
        print("  %9d B %-10s %s" % (nbytes, kind[5:], site))
    for kind, text, fr in ours_records:
        print("\n== %s: %s" % (kind, text))
        for obj, fn, file, line in fr[:25]:
            where = "%s:%s" % (file, line) if file else obj.rsplit("/", 1)[-1]
            print("     %s (%s)" % (fn, where))
    bad = leaked["Leak_DefinitelyLost", True] > 0 or any(o for (k, o) in errors if o)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
