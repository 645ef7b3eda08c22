"""Console entry point `revops-sidecar`."""

from __future__ import annotations

import argparse
import sys

from sidecar import __version__


def build_parser() -> argparse.ArgumentParser:
	parser = argparse.ArgumentParser(prog="revops-sidecar", description=__doc__)
	parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
	sub = parser.add_subparsers(dest="command", metavar="COMMAND")
	sub.add_parser("demo", help="run the whole pipeline on the bundled synthetic dataset (dry run)")
	return parser


def main(argv: list[str] | None = None) -> int:
	parser = build_parser()
	args = parser.parse_args(argv)
	if args.command is None:
		parser.print_help()
		return 2
	if args.command == "demo":
		print(
			"revops-sidecar demo: not available yet - the scoring model, synthetic dataset and dry-run "
			"clients land with the sidecar issue. Nothing was run.",
			file=sys.stderr,
		)
		return 3
	return 2


if __name__ == "__main__":
	sys.exit(main())
