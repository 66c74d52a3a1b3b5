"""Benchmark entry point: ``python bench/run.py [--quick] [--repeats N] [--out FILE]``.

The same as ``python -m linreg bench``; the harness lives in ``linreg/_bench.py`` so that an
installed package can run it too.
"""

import sys

from linreg.__main__ import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
