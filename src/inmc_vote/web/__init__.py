"""Litestar: thin controllers for the JSON API (/api/v1) and the HTML pages."""
