import stat

import pytest

from moksori.files import atomic_write


def test_success_replaces_content_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "sub" / "file.bin"
    with atomic_write(target) as handle:
        handle.write(b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in target.parent.iterdir()] == ["file.bin"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_failure_keeps_the_old_content(tmp_path):
    target = tmp_path / "file.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_write(target) as handle:
        handle.write(b"half")
        raise RuntimeError("killed mid-write")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["file.bin"]


def test_permissions_can_be_opened_up(tmp_path):
    target = tmp_path / "shared.voice"
    with atomic_write(target, permissions=0o644) as handle:
        handle.write(b"x")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
