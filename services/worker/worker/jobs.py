"""Turns accepted orders into print jobs for the renderer."""

from dataclasses import dataclass

from printcore import pricing


@dataclass(frozen=True)
class PrintJob:
    order_id: str
    pages: int
    paper: str
    cents: int


def plan_job(order: dict) -> PrintJob:
    pages = int(order["pages"])
    paper = order.get("paper", "standard")
    return PrintJob(str(order["id"]), pages, paper, pricing.quote(pages, paper))
