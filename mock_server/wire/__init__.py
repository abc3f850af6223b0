"""The wire layer: parse a Graph request, render a Graph response or error."""
