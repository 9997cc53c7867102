"""The parameter validators of aebook.params: one sentence, the same form for all."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aebook import params
from aebook.params import (
    SEED_MAX,
    ParameterError,
    check_choice,
    check_layer_sizes,
    check_memory_size,
    check_number,
    check_whole_number,
    memory_size_bytes,
)


def message(check, *args, **kwargs) -> str:
    with pytest.raises(ParameterError) as error:
        check(*args, **kwargs)
    text = str(error.value)
    assert "\n" not in text
    return text


@pytest.mark.parametrize("size, expected", [("512M", 512 << 20), ("2G", 2 << 30), ("1g", 1 << 30),
                                            ("1T", 1 << 40), ("2GB", None), ("G", None), (" 2G", None),
                                            ("-1G", None), (2, None), (None, None)])
def test_memory_size_bytes(size, expected):
    assert memory_size_bytes(size) == expected


def test_check_memory_size_accepts_what_h2o_accepts(monkeypatch):
    monkeypatch.setattr(params, "machine_memory_bytes", lambda: 8 << 30)
    for size in ("256M", "1g", "2G", "8G", "8192m"):
        check_memory_size("max_mem_size", size)


@pytest.mark.parametrize("size", ["10M", "0G", "64M", "255M", "9G", "99999G", "1t", "2 G", 2, True, None])
def test_check_memory_size_rejects_too_little_too_much_and_other_forms(monkeypatch, size):
    monkeypatch.setattr(params, "machine_memory_bytes", lambda: 8 << 30)
    assert message(check_memory_size, "max_mem_size", size) == (
        f"invalid parameter max_mem_size={size!r}: expected a memory size from 256M to 8G "
        "(this machine's memory), such as \"2G\" (a whole number followed by M, G or T)")


def test_check_memory_size_has_a_per_chapter_minimum(monkeypatch):
    monkeypatch.setattr(params, "machine_memory_bytes", lambda: 8 << 30)
    check_memory_size("max_mem_size", "1G", minimum="1G")
    assert "from 1G to 8G" in message(check_memory_size, "max_mem_size", "512M", minimum="1G")
    with pytest.raises(ValueError, match="minimum='1GB' is not a size"):
        check_memory_size("max_mem_size", "2G", minimum="1GB")


def test_check_memory_size_without_a_known_machine_memory(monkeypatch):
    monkeypatch.setattr(params, "machine_memory_bytes", lambda: None)
    check_memory_size("max_mem_size", "99999G")
    assert "a memory size of at least 256M" in message(check_memory_size, "max_mem_size", "64M")


def test_the_machine_memory_is_known_here():
    memory = params.machine_memory_bytes()
    assert memory is not None and memory >= 256 << 20


@pytest.mark.parametrize("value", [1, 2**63 - 1, np.int64(5)])
def test_check_whole_number_passes(value):
    check_whole_number("seed", value, 0, SEED_MAX)


@pytest.mark.parametrize("value", [True, False, 1.0, "1", None, -1, 2**63, np.float64(1)])
def test_check_whole_number_rejects_bools_floats_and_out_of_range(value):
    assert message(check_whole_number, "seed", value, 0, SEED_MAX) == (
        f"invalid parameter seed={value!r}: expected a whole number from 0 to 2**63 - 1")


@pytest.mark.parametrize("bounds, kwargs, text", [
    ((0, 1000), {"above": True}, "a finite number above 0 and at most 1000"),
    ((0, 1), {"below": True}, "a finite number from 0 to below 1"),
    ((0, 1), {"above": True, "below": True}, "a finite number above 0 and below 1"),
    ((1, None), {}, "a finite number of at least 1"),
    ((0, None), {"above": True}, "a finite number above 0"),
    ((None, 5), {}, "a finite number at most 5"),
    ((None, None), {}, "a finite number"),
])
def test_check_number_says_its_bounds(bounds, kwargs, text):
    assert message(check_number, "x", math.nan, *bounds, **kwargs).endswith(f"expected {text}")


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, True, "2", None, 0, 1001])
def test_check_number_rejects(value):
    with pytest.raises(ParameterError):
        check_number("epochs", value, 0, 1000, above=True)


@pytest.mark.parametrize("value", [0.5, 1000, 3, np.float32(2.5)])
def test_check_number_passes(value):
    check_number("epochs", value, 0, 1000, above=True)


@pytest.mark.parametrize("value", [[True], [50.0], [], [0], [1001], [1, 2, 3, 4, 5, 6], "50", 50, None])
def test_check_layer_sizes_rejects(value):
    assert message(check_layer_sizes, "hidden", value) == (
        f"invalid parameter hidden={value!r}: expected a list of 1 to 5 layer sizes, each a whole number "
        "from 1 to 1000, e.g. [50]")


def test_check_layer_sizes_odd():
    check_layer_sizes("hidden", (100, 50, 100), odd=True)
    assert "an odd number (1 to 5) of layer sizes" in message(check_layer_sizes, "hidden", [100, 50], odd=True)


def test_check_choice():
    check_choice("activation", "Tanh", ["Tanh", "Rectifier"])
    assert message(check_choice, "activation", "tanh", ["Tanh", "Rectifier", "ExpRectifier"]) == (
        "invalid parameter activation='tanh': expected \"Tanh\", \"Rectifier\" or \"ExpRectifier\"")
    assert message(check_choice, "k", True, [1, 2]).endswith("expected 1 or 2")  # True == 1, but is no choice


@pytest.mark.parametrize("activation", ["Tanh", "TanhWithDropout", "ExpRectifier",
                                        "ExpRectifierWithDropout", "Maxout", "MaxoutWithDropout"])
def test_check_autoencoder_activation_accepts_what_reaches_normalised_targets(activation):
    params.check_autoencoder_activation(activation, True)
    params.check_autoencoder_activation(activation, True, (0, 255))  # the range is not used


@pytest.mark.parametrize("activation", ["Rectifier", "RectifierWithDropout"])
def test_check_autoencoder_activation_refuses_rectifier_with_standardize(activation):
    text = message(params.check_autoencoder_activation, activation, True)
    assert text.startswith(f"invalid parameter activation={activation!r}: expected \"Tanh\", ")
    assert "standardize=True" in text and "or set standardize=False" in text


@pytest.mark.parametrize("activation, input_range, ok", [
    ("Tanh", (0, 1), True), ("Tanh", (-1, 1), True), ("Tanh", (0, 255), False),
    ("Tanh", (-1.5, 0.5), False), ("TanhWithDropout", (0, 1.01), False),
    ("Rectifier", (0, 255), True), ("Rectifier", (-0.001, 1), False),
    ("RectifierWithDropout", (0, 1), True),
    ("ExpRectifier", (-1, 9), True), ("ExpRectifier", (-2, 1), False),
    ("Maxout", (-1e6, 1e6), True)])
def test_check_autoencoder_activation_without_standardize_checks_the_raw_range(activation, input_range, ok):
    check = params.check_autoencoder_activation
    if ok:
        check(activation, False, input_range)
        return
    text = message(check, activation, False, input_range)
    assert text.startswith(f"invalid parameter activation={activation!r}: expected an activation whose output")
    assert f"[{input_range[0]:g}, {input_range[1]:g}]" in text and text.endswith("set standardize=True")


def test_check_autoencoder_activation_checks_the_names():
    params.check_autoencoder_activation("Rectifier", False)  # no range known: accepted
    assert message(params.check_autoencoder_activation, "relu", True).startswith(
        "invalid parameter activation='relu': expected \"Tanh\", \"TanhWithDropout\"")
    assert message(params.check_autoencoder_activation, "Tanh", 1) == (
        "invalid parameter standardize=1: expected True or False")
    assert message(params.check_autoencoder_activation, "Rectifier", True, name="act").startswith(
        "invalid parameter act='Rectifier'")
