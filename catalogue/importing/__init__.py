"""Importing provider data: CSV in the documented template, and RDF in the ontology's terms."""
