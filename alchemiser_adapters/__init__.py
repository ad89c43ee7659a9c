"""Alchemiser's imperative shell: brokers, ledgers, the executor and the CLI.

Today it holds the command-line entry point (`alchemiser demo`, `alchemiser plan`)
and the trade ledger (`alchemiser_adapters.ledger`); brokers and the executor
arrive with their own issue.
"""
