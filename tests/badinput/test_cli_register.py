"""The battery's `register` cases, in process through `brainfuse.cli.main`."""

from .conftest import cli_test

test_cli_case = cli_test("register")
