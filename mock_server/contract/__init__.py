"""The contract: JSON Schemas from `schemas/`, compiled once, used to decode and validate params."""
