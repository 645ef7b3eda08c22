"""The `revops-sidecar` command handlers (sidecar.cli builds the parser and dispatches to them).

Each handler is `cmd_<name>(args, cfg) -> exit code`: passes.py (run, sync, backfill, plan), info.py (status,
report, config), demo.py (demo); runtime.py wires the pipeline, the store and the run lock. The CX commands
are registered by sidecar.cx.cli.
"""
