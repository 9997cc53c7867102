import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.transforms import Bbox

from aebook import ParameterError, check_parameter
from aebook.plots import digit_grid, digit_groups, originals_and_reconstructions


def test_check_parameter_passes_valid_values():
    check_parameter("epochs", 3, True, "a positive number")


def test_check_parameter_names_the_parameter_and_what_is_expected():
    with pytest.raises(ParameterError, match=r"invalid parameter epochs=-1: expected a positive number"):
        check_parameter("epochs", -1, False, "a positive number")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _mosaic(fig) -> np.ndarray:
    """The one image of the only Axes of ``fig``."""
    (ax,) = fig.axes
    (image,) = ax.images
    return image.get_array()


def _blocks(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of True in ``mask``."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(int), [0]))))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=False))


def _tiles_of(mosaic: np.ndarray) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Row and column spans of the mosaic's tiles, found from its ink (random tiles have ink in every line)."""
    ink = mosaic != 0
    return _blocks(ink.any(axis=1)), _blocks(ink.any(axis=0))


def test_digit_grid_pastes_every_tile_in_place_in_one_image_on_white():
    images = np.random.default_rng(1).integers(1, 256, size=(7, 28, 28), dtype=np.uint8)
    fig = digit_grid(images, ncols=3)
    mosaic = _mosaic(fig).copy()
    rows, columns = _tiles_of(mosaic)
    assert len(rows) == 3 and len(columns) == 3
    assert all(stop - start == 28 for start, stop in rows + columns)
    for i, image in enumerate(images):
        (top, bottom), (left, right) = rows[i // 3], columns[i % 3]
        assert np.array_equal(mosaic[top:bottom, left:right], image)
        mosaic[top:bottom, left:right] = 0
    assert not mosaic.any()  # gaps and the two missing tiles of the last row are blank
    (ax,) = fig.axes
    assert not ax.axison
    image = ax.images[0]
    assert image.get_cmap().name == "gray_r" and image.get_clim() == (0, 255)
    assert image.get_interpolation() == "nearest"
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)


def test_digit_grid_titles_each_tile_above_its_centre_in_order(small_images):
    fig = digit_grid(small_images, titles=["a", "b", "c"], ncols=2, title="T\nwo lines")
    rows, columns = _tiles_of(_mosaic(fig))
    texts = fig.axes[0].texts
    assert [text.get_text() for text in texts] == ["a", "b", "c"]
    for i, text in enumerate(texts):
        x, y = text.get_position()
        (top, _), (left, right) = rows[i // 2], columns[i % 2]
        assert x == (left + right - 1) / 2 and text.get_horizontalalignment() == "center"
        assert y < top - 0.5 and text.get_verticalalignment() == "bottom"  # the y axis points down
    assert fig._suptitle.get_text() == "T\nwo lines"


def test_digit_grid_accepts_flat_rows_and_a_given_vmax(small_images):
    fig = digit_grid(small_images.reshape(3, 784), ncols=3, vmax=1000)
    rows, columns = _tiles_of(_mosaic(fig))
    assert len(rows) == 1 and len(columns) == 3
    assert fig.axes[0].images[0].get_clim() == (0, 1000)


def test_digit_grid_draws_into_a_given_subfigure(small_images):
    fig = plt.figure(figsize=(6, 2))
    left, right = fig.subfigures(1, 2)
    assert digit_grid(small_images, ["a", "b", "c"], ncols=3, fig=right, title="T") is right
    (ax,) = right.axes
    fig.canvas.draw()
    assert right.bbox.contains(*ax.get_window_extent().p0) and right.bbox.contains(*ax.get_window_extent().p1)
    assert not left.axes


def test_digit_grid_rejects_a_wrong_number_of_titles(small_images):
    with pytest.raises(ValueError, match="2 titles for 3 images"):
        digit_grid(small_images, titles=["a", "b"])


def test_originals_and_reconstructions_pairs_each_tile_with_its_reconstruction(small_images):
    overshoot = small_images.astype(float) + 40  # a decoder may overshoot the pixel range
    fig = originals_and_reconstructions(small_images, overshoot, ["1", "2", "3"], title="T")
    assert fig._suptitle.get_text() == "T" and fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    key = [text.get_text() for text in fig.texts if text is not fig._suptitle]
    assert key == ["in each pair: original (left), reconstruction (right)"]
    (ax,) = fig.axes
    (image,) = ax.images
    vmax = float(small_images.max())
    assert image.get_clim() == (0.0, vmax)
    mosaic = image.get_array()
    rows, columns = _tiles_of(mosaic)
    assert len(rows) == 1 and len(columns) == 6  # three pairs in one row
    (top, bottom), pairs = rows[0], [columns[i : i + 2] for i in range(0, 6, 2)]
    for i, ((left, left_end), (right, right_end)) in enumerate(pairs):
        assert np.array_equal(mosaic[top:bottom, left:left_end], small_images[i])
        assert np.array_equal(mosaic[top:bottom, right:right_end], np.minimum(overshoot[i], vmax))
        assert right - left_end < pairs[1][0][0] - pairs[0][1][1]  # a pair sits closer than two pairs
    texts = ax.texts
    assert [text.get_text() for text in texts] == ["1", "2", "3"]
    for text, ((left, _), (_, right_end)) in zip(texts, pairs, strict=True):
        assert text.get_position()[0] == (left + right_end - 1) / 2  # above the middle of its pair


def test_originals_and_reconstructions_must_pair_up(small_images):
    with pytest.raises(ValueError, match="3 originals but 2 reconstructions"):
        originals_and_reconstructions(small_images, small_images[:2])


def _assert_texts_clear(fig):
    """No text leaves the figure or touches another text; no tile title touches a tile."""
    fig.canvas.draw()
    suptitles = [fig._suptitle] + [sub._suptitle for sub in fig.subfigs]
    texts = [text for text in suptitles if text is not None] + [text for text in fig.texts if text is not fig._suptitle]
    texts += [text for ax in fig.axes for text in ax.texts]
    boxes = [text.get_window_extent() for text in texts]
    for i, (text, box) in enumerate(zip(texts, boxes, strict=True)):
        assert fig.bbox.contains(box.x0, box.y0) and fig.bbox.contains(box.x1, box.y1), text.get_text()
        assert not any(box.overlaps(other) for other in boxes[i + 1 :]), text.get_text()
    for ax in fig.axes:
        rows, columns = _tiles_of(ax.images[0].get_array())
        for top, bottom in rows:
            for left, right in columns:
                tile = Bbox(ax.transData.transform([(left - 0.5, top - 0.5), (right - 0.5, bottom - 0.5)]))
                assert not any(tile.overlaps(box) for box in boxes)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(titles=["label 9"] * 20, ncols=10, tile_size=1.0, title="The first 20 train digits"),
        dict(titles=["3: cl. 14"] * 7, ncols=5, title="The two smallest clusters, 3 and 14\n(tiles: label: cluster)"),
        dict(titles=["7 as 2"] * 20, title="The 20 ugliest test digits: true label as predicted"),
    ],
)
def test_digit_grid_titles_stay_clear_of_each_other_and_the_tiles(kwargs):
    images = np.random.default_rng(2).integers(1, 256, size=(len(kwargs["titles"]), 28, 28))
    fig = digit_grid(images, **kwargs)
    _assert_texts_clear(fig)


def test_originals_and_reconstructions_titles_stay_clear_of_each_other_and_the_tiles():
    images = np.random.default_rng(3).integers(1, 256, size=(25, 28, 28))
    fig = originals_and_reconstructions(images, images, ["1,234: 7"] * 25, title="The good: the 25 lowest errors")
    _assert_texts_clear(fig)


def test_digit_groups_start_every_group_on_a_new_row_under_its_name():
    rng = np.random.default_rng(4)
    groups = [rng.integers(1, 256, size=(n, 28, 28)) for n in (15, 20)]
    titles = [[f"{i}: {n}" for i in range(n)] for n in (15, 20)]
    fig = digit_groups(groups, ["cluster 26: 15 digits", "cluster 3: 20 digits"], titles, title="Two clusters")
    assert [sub._suptitle.get_text() for sub in fig.subfigs] == ["cluster 26: 15 digits", "cluster 3: 20 digits"]
    for sub, images, names in zip(fig.subfigs, groups, titles, strict=True):
        (ax,) = sub.axes
        mosaic = ax.images[0].get_array()
        rows, columns = _tiles_of(mosaic)
        assert len(rows) == 2 and len(columns) == 10
        for i, image in enumerate(images):
            (top, bottom), (left, right) = rows[i // 10], columns[i % 10]
            assert np.array_equal(mosaic[top:bottom, left:right], image)
        assert [text.get_text() for text in ax.texts] == names
    assert fig.subfigs[0].axes[0].images[0].get_clim() == fig.subfigs[1].axes[0].images[0].get_clim()
    _assert_texts_clear(fig)


def test_digit_groups_need_one_name_per_group(small_images):
    with pytest.raises(ValueError, match="2 groups, 1 names"):
        digit_groups([small_images, small_images], ["a"])
