"""The examples in the docstrings run and print what they say."""

from __future__ import annotations

import doctest

import pytest

import linreg.linear
import linreg.lasso
import linreg.ridge


@pytest.mark.parametrize("module", [linreg.linear, linreg.ridge, linreg.lasso], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
