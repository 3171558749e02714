"""The ``gridgov`` console command: Django's management commands under one name.

``gridgov demo`` and ``gridgov serve`` are management commands of ``gridgov.core``; so is
every other subcommand (``gridgov migrate``, ``gridgov audit verify``, ...).
"""

import os
import sys


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["gridgov", *args])


if __name__ == "__main__":
    main()
