"""pytest plugin (registered through the `pytest11` entry point): graph_mock fixtures. Filled by the contract-kit issue."""
