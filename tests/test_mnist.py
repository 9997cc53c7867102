import os
import subprocess
import sys

import numpy as np
import pytest

from aebook import mnist
from aebook.data import DATA_DIR_ENV, DataError
from aebook.mnist import PIXELS, load_mnist, mnist_frames, prepared_file


def test_prepared_file_is_svmlight_with_all_784_columns(tmp_path, monkeypatch):
    images = np.zeros((2, 28, 28), dtype=np.uint8)
    images[0, 0, 0] = 7      # pixel 0 -> index 1
    images[0, 27, 27] = 255  # the last pixel -> index 784
    images[1, 1, 2] = 3      # pixel 30 -> index 31
    monkeypatch.setattr(mnist, "load_mnist", lambda split: (images, np.array([5, 0], dtype=np.uint8)))
    path = prepared_file("test", tmp_path)
    assert path.read_text().splitlines() == ["5 1:7 784:255", "0 31:3 784:0"]


def test_prepared_file_is_reused(tmp_path, monkeypatch):
    images = np.zeros((2, 28, 28), dtype=np.uint8)
    monkeypatch.setattr(mnist, "load_mnist", lambda split: (images, np.array([5, 0], dtype=np.uint8)))
    first = prepared_file("test", tmp_path)
    written = first.read_text()
    monkeypatch.setattr(mnist, "load_mnist", lambda split: pytest.fail("must not re-read the IDX files"))
    assert prepared_file("test", tmp_path) == first
    assert first.read_text() == written and written.splitlines()[0].endswith(" 784:0")


def small_digits(monkeypatch, n: int = 40) -> None:
    rng = np.random.default_rng(0)
    images = ((rng.random((n, 28, 28)) < 0.2) * rng.integers(1, 256, (n, 28, 28))).astype(np.uint8)
    monkeypatch.setattr(mnist, "load_mnist", lambda split: (images, (np.arange(n) % 10).astype(np.uint8)))


@pytest.mark.parametrize("damage", ["truncate", "edit", "no record", "other sources"])
def test_a_damaged_prepared_file_is_written_again(tmp_path, monkeypatch, damage):
    small_digits(monkeypatch)
    path = prepared_file("test", tmp_path)
    good = path.read_text()
    record = path.with_name(path.name + ".json")
    if damage == "truncate":  # a copy cut short mid-line: a row with a bogus label and no error
        path.write_text(good[: len(good) // 2])
    elif damage == "edit":
        path.write_text(good.replace("\n3 ", "\n8 ", 1))
    elif damage == "no record":
        path.write_text(good[:100])
        record.unlink()
    else:  # the manifest now lists other IDX files: the prepared file is stale
        key = '"mnist/t10k-images-idx3-ubyte.gz": '
        record.write_text(record.read_text().replace(key + '"8d', key + '"00'))
    assert prepared_file("test", tmp_path).read_text() == good


def test_stale_temporaries_of_killed_writers_are_removed(tmp_path, monkeypatch):
    small_digits(monkeypatch)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = [tmp_path / f"mnist_train.tmp{dead}", tmp_path / f"mnist_test.tmp{dead}.svm"]
    for p in stale:
        p.write_text("1 3:4\n")
    running = tmp_path / f"mnist_train.tmp{os.getpid()}.svm"  # a writer still at work: left alone
    running.write_text("")
    prepared_file("test", tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["mnist_test.svm", "mnist_test.svm.json", running.name])


def test_a_failed_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    small_digits(monkeypatch)
    import aebook.files

    monkeypatch.setattr(aebook.files.os, "replace", lambda *a: (_ for _ in ()).throw(OSError(28, "No space left")))
    with pytest.raises(DataError, match="No space left"):
        prepared_file("test", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_names_the_folder_and_the_fix_and_leaves_nothing(tiny_disk, monkeypatch):
    small_digits(monkeypatch)
    with pytest.raises(DataError) as error:
        prepared_file("test", tiny_disk)
    message = str(error.value)
    assert "No space left on device" in message and str(tiny_disk) in message
    assert message.endswith(f"free some space there, or choose another data folder with {DATA_DIR_ENV}=DIR.")
    assert list(tiny_disk.iterdir()) == []


def test_a_folder_that_cannot_be_written_is_not_called_full(tmp_path, monkeypatch):
    small_digits(monkeypatch)
    import aebook.files

    monkeypatch.setattr(aebook.files.os, "replace", lambda *a: (_ for _ in ()).throw(PermissionError(13, "Denied")))
    with pytest.raises(DataError, match=r"\(Denied\): check that you can write there, or choose another data "
                                        rf"folder with {DATA_DIR_ENV}=DIR\.$"):
        prepared_file("test", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_prepared_files_live_in_the_data_folder(tmp_path, monkeypatch):
    small_digits(monkeypatch)
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    assert prepared_file("test") == tmp_path / "data" / "prepared" / "mnist_test.svm"


def test_load_mnist_rejects_an_unknown_split():
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        load_mnist("validation")  # type: ignore[arg-type]


def test_a_prepared_file_of_an_unknown_split_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(ValueError, match=r"^split must be 'train' or 'test', not 'validation'$"):
        prepared_file("validation", tmp_path, first=10)  # type: ignore[arg-type]
    assert not any(tmp_path.iterdir())


def test_real_mnist_shapes_and_labels():
    images, labels = load_mnist("test")
    assert images.shape == (10_000, 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels).tolist()[7] == 1028  # sevens in the test split


def test_load_mnist_reads_the_files_once_and_hands_out_copies(monkeypatch):
    from aebook import mnist

    first_images, first_labels = load_mnist("test")
    first_images[0] = 255  # a caller's change stays with the caller
    monkeypatch.setattr(mnist, "read_idx", lambda *a, **k: pytest.fail("must not read the IDX files again"))
    images, labels = load_mnist("test")
    assert images is not first_images and not (images[0] == 255).all()
    assert np.array_equal(labels, first_labels)


@pytest.mark.h2o
def test_mnist_frames_hold_the_idx_pixels_and_labels():
    from aebook import h2o_session

    images, labels = load_mnist("test")
    with h2o_session(max_mem_size="1G"):
        (frame,) = mnist_frames(("test",))
        assert frame.shape == (10_000, 785)
        assert frame.columns == [*PIXELS, "label"]
        assert frame.types["label"] == "enum" and frame.types["px400"] == "int"
        rows = [0, 1, 9_999]
        got = frame[rows, :].as_data_frame()
        np.testing.assert_array_equal(got[PIXELS].to_numpy(), images[rows].reshape(3, -1))
        assert got["label"].astype(int).tolist() == labels[rows].tolist()


def test_a_prepared_file_of_the_first_digits_holds_the_first_lines_of_the_whole_file(tmp_path, monkeypatch):
    small_digits(monkeypatch)
    whole = prepared_file("test", tmp_path).read_text().splitlines()
    part = prepared_file("test", tmp_path, first=7)
    assert part.name == "mnist_test_first7.svm"
    assert part.read_text().splitlines() == whole[:7]
    assert prepared_file("test", tmp_path, first=10_000).name == "mnist_test.svm"  # all of them: the whole file


@pytest.mark.parametrize("first", [0, 10_001, 2.5, True])
def test_an_impossible_number_of_first_digits_is_refused_in_one_sentence(tmp_path, first):
    with pytest.raises(ValueError, match=r"^first must be a whole number from 1 to 10,000 \(the digits in MNIST's "
                                         r"test split\), not .*$"):
        prepared_file("test", tmp_path, first=first)
    assert not any(tmp_path.iterdir())


def test_mnist_frames_refuse_a_row_limit_for_a_split_they_do_not_load():
    with pytest.raises(ValueError, match=r"^first names \['train'\], which are not among the splits \['test'\]: "
                                         r"name only splits you load\.$"):
        mnist_frames(("test",), first={"train": 100})


@pytest.mark.h2o
def test_mnist_frames_load_the_first_digits_of_a_split():
    from aebook import h2o_session

    images, labels = load_mnist("train")
    with h2o_session(max_mem_size="1G"):
        (frame,) = mnist_frames(("train",), first={"train": 300})
        assert frame.shape == (300, 785)
        got = frame[[0, 299], :].as_data_frame()
        np.testing.assert_array_equal(got[PIXELS].to_numpy(), images[[0, 299]].reshape(2, -1))
        assert got["label"].astype(int).tolist() == labels[[0, 299]].tolist()
