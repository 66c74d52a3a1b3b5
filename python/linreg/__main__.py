"""The command line: ``python -m linreg demo [--out DIR] | bench | config``."""

from __future__ import annotations

import argparse
import sys


def demo(out=None, figures=None) -> int:
    """Run the story (:mod:`linreg._demo`), printing to ``out``; PNGs into ``figures``."""
    from . import _demo

    _demo.run(sys.stdout if out is None else out, figures)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m linreg", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("demo", help="run the story of linear regression on the seed's data: "
                       "overfitting, bias and variance, gradient descent, Ridge, Lasso, "
                       "Elastic Net, the L1/L2 geometry")
    d.add_argument("--out", default=None, metavar="DIR",
                   help="write the figures as PNG files into DIR (needs matplotlib)")
    b = sub.add_parser("bench", help="run the benchmark (see bench/README.md)")
    b.add_argument("--quick", action="store_true", help="small sizes only (a smoke run)")
    b.add_argument("--repeats", type=int, default=5)
    b.add_argument("--out", default=None, help="append JSON lines of results to this file")
    b.add_argument("--cases", default=None, help="comma-separated case names to run")
    sub.add_parser("config", help="print how linreg was built (linreg.show_config())")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo(figures=args.out)
    if args.command == "config":
        import linreg

        linreg.show_config()
        return 0
    from . import _bench

    return _bench.main(quick=args.quick, repeats=args.repeats, out=args.out, cases=args.cases)


if __name__ == "__main__":
    sys.exit(main())
