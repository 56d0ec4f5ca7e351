"""Read models for the web pages: each module asks the store through named queries and returns
plain dataclasses, so templates never walk graphs or hold SPARQL."""
