"""share_neuro.atomic: permissions from the umask, and no partial or temporary file on error."""

import os

import pytest

from share_neuro.atomic import write_atomic, write_text_atomic


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_mode_follows_umask(tmp_path, umask, mode):
    previous = os.umask(umask)
    try:
        path = write_text_atomic(tmp_path / "out.json", "{}")
    finally:
        os.umask(previous)

    assert path.stat().st_mode & 0o777 == mode


def test_error_keeps_old_file_and_removes_temporary(tmp_path):
    path = tmp_path / "out.json"
    path.write_text("old")

    def failing_write(temporary):
        with open(temporary, "w") as stream:
            stream.write("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_atomic(path, failing_write)
    assert path.read_text() == "old"
    assert [item.name for item in tmp_path.iterdir()] == ["out.json"]


def test_writer_may_replace_temporary(tmp_path):
    # h5py and torch.save open the path themselves and may recreate the file.
    def recreate(temporary):
        os.unlink(temporary)
        with open(temporary, "wb") as stream:
            stream.write(b"data")

    path = write_atomic(tmp_path / "out.bin", recreate)
    assert path.read_bytes() == b"data"
    assert [item.name for item in tmp_path.iterdir()] == ["out.bin"]
