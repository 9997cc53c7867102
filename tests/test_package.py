"""The package docstring names every module, so that a newcomer finds each helper's home."""

import pkgutil

import aebook


def test_the_package_docstring_lists_every_module():
    modules = [m.name for m in pkgutil.iter_modules(aebook.__path__) if m.name != "__main__"]
    assert [m for m in modules if f":mod:`aebook.{m}`" not in aebook.__doc__] == []
