import matplotlib

matplotlib.use("Agg")
import pytest

from aebook import ParameterError, check_parameter
from aebook.plots import digit_grid, originals_and_reconstructions


def test_check_parameter_passes_valid_values():
    check_parameter("epochs", 3, True, "a positive number")


def test_check_parameter_names_the_parameter_and_what_is_expected():
    with pytest.raises(ParameterError, match=r"invalid parameter epochs=-1: expected a positive number"):
        check_parameter("epochs", -1, False, "a positive number")


def test_digit_grid_draws_one_tile_per_image_on_white(small_images):
    fig = digit_grid(small_images, titles=["a", "b", "c"], ncols=2)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 3
    assert [ax.get_title() for ax in shown] == ["a", "b", "c"]
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)


def test_digit_grid_accepts_flat_rows(small_images):
    fig = digit_grid(small_images.reshape(3, 784))
    assert fig.axes[0].images[0].get_array().shape == (28, 28)


def test_digit_grid_rejects_a_wrong_number_of_titles(small_images):
    with pytest.raises(ValueError, match="2 titles for 3 images"):
        digit_grid(small_images, titles=["a", "b"])


def test_originals_and_reconstructions_side_by_side_on_one_scale(small_images):
    overshoot = small_images.astype(float) + 40  # a decoder may overshoot the pixel range
    fig = originals_and_reconstructions(small_images, overshoot, ["1", "2", "3"], title="T")
    left, right = fig.subfigs
    assert left._suptitle.get_text() == "original" and right._suptitle.get_text() == "reconstruction"
    shown = [im for ax in fig.axes for im in ax.images]
    assert len(shown) == 6
    vmax = float(small_images.max())
    assert {im.get_clim() for im in shown} == {(0.0, vmax)}
    assert max(im.get_array().max() for im in shown) == vmax  # clipped to the originals' scale


def test_originals_and_reconstructions_must_pair_up(small_images):
    with pytest.raises(ValueError, match="3 originals but 2 reconstructions"):
        originals_and_reconstructions(small_images, small_images[:2])
