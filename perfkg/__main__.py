"""`python -m perfkg` = the `perfkg` command."""

from perfkg.cli import main

main()
