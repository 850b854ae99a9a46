"""The ``tupo`` console script: Django's management commands with Tupo's settings preset.

The pure-method commands (``dea``, ``malmquist``, ``assign``, ``calibrate``) read CSV files and need no
database, so they run without setting Django up: they start fast and work on any desk.
"""

from __future__ import annotations

import os
import sys

PURE_COMMANDS = {
    "dea": ("tupo.methods.dea_cli", "main_dea"),
    "malmquist": ("tupo.methods.dea_cli", "main_malmquist"),
    "assign": ("tupo.methods.assignment_cli", "main_assign"),
    "calibrate": ("tupo.methods.calibration_cli", "main_calibrate"),
}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] in PURE_COMMANDS:
        import importlib

        module_name, func_name = PURE_COMMANDS[argv[1]]
        func = getattr(importlib.import_module(module_name), func_name)
        sys.exit(func(argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tupo.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
