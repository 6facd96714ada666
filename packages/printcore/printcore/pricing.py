"""Print prices in cents, shared by the api (quotes) and the worker (invoices)."""

BASE_CENTS = 250
PER_PAGE_CENTS = {"standard": 12, "premium": 30}


def quote(pages: int, paper: str = "standard") -> int:
    if pages < 1:
        raise ValueError("pages must be at least 1")
    if paper not in PER_PAGE_CENTS:
        raise ValueError(f"unknown paper {paper!r}")
    return BASE_CENTS + pages * PER_PAGE_CENTS[paper]
