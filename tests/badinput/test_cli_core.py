"""The battery's `fuse`, `info`, `methods`, `demo`, `serve` and usage cases, in process."""

from .conftest import cli_test

test_cli_case = cli_test("core")
