import numpy as np
import pytest

from aebook import mnist
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
    (tmp_path / "mnist_test.svm").write_text("cached\n")
    monkeypatch.setattr(mnist, "load_mnist", lambda split: pytest.fail("must not re-read the IDX files"))
    assert prepared_file("test", tmp_path).read_text() == "cached\n"


def test_load_mnist_rejects_an_unknown_split():
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        load_mnist("validation")  # type: ignore[arg-type]


def test_real_mnist_shapes_and_labels():
    images, labels = load_mnist("test")
    assert images.shape == (10_000, 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels).tolist()[7] == 1028  # sevens in the test split


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
