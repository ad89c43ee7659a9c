"""Alchemiser's imperative shell: brokers, ledgers, the executor and the CLI.

For now it holds only the command-line entry point (`alchemiser demo`); brokers
and ledgers arrive with their own issues.
"""
