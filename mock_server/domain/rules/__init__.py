"""Cross-field Graph rules, one module per node; the tables they read live in `schemas/rules/`."""
