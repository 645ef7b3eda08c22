"""The console script is installed and answers."""

import subprocess
import sys
from pathlib import Path

from sidecar.cli import main


def test_console_script_is_installed():
	exe = Path(sys.executable).parent / "revops-sidecar"
	result = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=60)
	assert result.returncode == 0
	assert "revops-sidecar" in result.stdout


def test_no_command_prints_help_and_fails(capsys):
	assert main([]) == 2
	assert "COMMAND" in capsys.readouterr().out
