import gzip

import numpy as np
import pytest
from conftest import write_idx

from aebook.idx import IdxFormatError, read_idx


@pytest.mark.parametrize("gz", [False, True])
def test_reads_shape_and_values_from_the_header(tmp_path, small_images, gz):
    path = write_idx(tmp_path / ("x.idx.gz" if gz else "x.idx"), small_images, gz=gz)
    data = read_idx(path)
    assert data.shape == (3, 28, 28)
    assert data.dtype == np.uint8
    np.testing.assert_array_equal(data, small_images)


def test_reads_labels(tmp_path):
    labels = np.array([5, 0, 4, 1, 9], dtype=np.uint8)
    np.testing.assert_array_equal(read_idx(write_idx(tmp_path / "l.idx", labels)), labels)


def test_wrong_magic_names_the_file(tmp_path):
    path = tmp_path / "notidx.bin"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(IdxFormatError, match=r"notidx\.bin.*magic number 0x89504e47"):
        read_idx(path)


def test_truncated_file(tmp_path, small_images):
    full = tmp_path / "full.idx"
    write_idx(full, small_images)
    cut = tmp_path / "cut.idx"
    cut.write_bytes(full.read_bytes()[:-10])
    with pytest.raises(IdxFormatError, match=r"cut\.idx: truncated"):
        read_idx(cut)


def test_truncated_header(tmp_path):
    path = tmp_path / "h.idx"
    path.write_bytes(b"\x00\x00\x08\x03\x00\x00")
    with pytest.raises(IdxFormatError, match="truncated header"):
        read_idx(path)


def test_truncated_gzip_stream(tmp_path, small_images):
    path = write_idx(tmp_path / "x.idx.gz", small_images, gz=True)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(IdxFormatError, match=r"x\.idx\.gz: cannot decompress"):
        read_idx(path)


def test_extra_bytes(tmp_path, small_images):
    path = write_idx(tmp_path / "long.idx", small_images)
    path.write_bytes(path.read_bytes() + b"\x00")
    with pytest.raises(IdxFormatError, match="longer than its header says"):
        read_idx(path)


def test_count_mismatch(tmp_path, small_images):
    path = write_idx(tmp_path / "x.idx", small_images)
    with pytest.raises(IdxFormatError, match=r"x\.idx: holds 3 items, expected 10000"):
        read_idx(path, expected_count=10000)


def test_gzip_is_detected_by_suffix_only(tmp_path, small_images):
    path = tmp_path / "plain.idx"
    path.write_bytes(gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x01\x07"))
    with pytest.raises(IdxFormatError, match="magic number"):
        read_idx(path)


def test_missing_file_is_a_plain_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "nope.idx.gz")


def test_sizes_that_overflow_64_bits_give_a_positive_byte_count(tmp_path):
    path = tmp_path / "huge.idx"
    path.write_bytes(b"\x00\x00\x08\x03" + b"\xff\xff\xff\xff" * 3 + bytes(10))
    with pytest.raises(IdxFormatError, match=r"huge\.idx: truncated: .*\((\d+) bytes\)") as error:
        read_idx(path)
    assert f"({(2**32 - 1) ** 3 + 16} bytes)" in str(error.value)


def test_a_folder_is_not_called_corrupt(tmp_path):
    with pytest.raises(IdxFormatError, match=r"is a folder, not an IDX file") as error:
        read_idx(tmp_path)
    assert "corrupt" not in str(error.value)


def test_corrupt_deflate_data_is_an_idx_error(tmp_path, small_images):
    path = write_idx(tmp_path / "x.idx.gz", small_images, gz=True)
    raw = bytearray(path.read_bytes())
    raw[10] = 0x07  # the first deflate block has the reserved type 3: zlib.error, not an OSError
    path.write_bytes(bytes(raw))
    with pytest.raises(IdxFormatError, match=r"x\.idx\.gz: cannot decompress .*fetch it again"):
        read_idx(path)
