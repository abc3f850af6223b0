"""Per-resource strategy definitions: which params are generated, the repair step, the rule breakers."""
