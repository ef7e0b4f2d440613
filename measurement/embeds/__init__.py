"""Embeddable charts: a measure published on the public report card, framed by the sites the
initiative lists (CSP frame-ancestors), with its numbers as CSV and JSON."""
