"""Damaged dumps: a torn tail is analysed with a note; anything else is one error line, exit 2."""
import os
import shutil

from harness import export_json, run_profiled, sample, slowburn, tmpdir


def real_dump():
    workdir = tmpdir()
    _, dumps = run_profiled([sample("incident_leaky"), "80"], workdir)
    assert len(dumps) == 1, dumps
    return dumps[0]


def copy_with(dump, name, edit):
    path = os.path.join(os.path.dirname(dump), name)
    shutil.copy(dump, path)
    with open(path, "r+b") as f:
        edit(f)
    return path


def assert_rejected(path):
    for args in (["report", path], ["export", path, "--format", "json"]):
        proc = slowburn(args)
        assert proc.returncode == 2, (args, proc.returncode, proc.stdout[-500:])
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("slowburn: error: "), proc.stderr
        assert proc.stdout == "", proc.stdout[-500:]


def test_torn_tail_is_reported_and_analysed():
    dump = real_dump()
    size = os.path.getsize(dump)
    # Cut inside the last record, and at a point well inside the file.
    for cut in (size - 3, size * 2 // 3):
        torn = copy_with(dump, f"torn{cut}.sb", lambda f: f.truncate(cut))
        if export_json(torn)["process"]["truncated"] is False:
            # The cut fell between two records: one byte more is a record cut short.
            torn = copy_with(dump, f"torn{cut + 1}.sb", lambda f: f.truncate(cut + 1))
        proc = slowburn(["report", torn])
        assert proc.returncode == 0, proc.stderr
        assert "torn tail" in proc.stdout, proc.stdout
        report = export_json(torn)
        assert report["process"]["truncated"] is True, report["process"]
        assert report["sites"], report


def test_corrupted_middle_byte_is_one_error_line():
    dump = real_dump()
    size = os.path.getsize(dump)

    def flip(f):
        f.seek(size // 2)
        byte = f.read(1)
        f.seek(size // 2)
        f.write(bytes([byte[0] ^ 0x5A]))

    assert_rejected(copy_with(dump, "flipped.sb", flip))


def test_empty_and_wrong_magic_exit_2():
    dump = real_dump()
    assert_rejected(copy_with(dump, "empty.sb", lambda f: f.truncate(0)))

    def magic(f):
        f.write(b"NOTSLOWB")

    assert_rejected(copy_with(dump, "magic.sb", magic))

    def version(f):
        f.seek(8)
        f.write(b"\x63\x00\x00\x00")

    assert_rejected(copy_with(dump, "version.sb", version))
    assert_rejected(os.path.join(os.path.dirname(dump), "does-not-exist.sb"))
    assert_rejected(os.path.dirname(dump))
