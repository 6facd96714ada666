import unittest

from worker.jobs import PrintJob, plan_job


class PlanJobTest(unittest.TestCase):
    def test_prices_the_job(self) -> None:
        self.assertEqual(plan_job({"id": 7, "pages": 3}), PrintJob("7", 3, "standard", 286))

    def test_rejects_unknown_paper(self) -> None:
        with self.assertRaises(ValueError):
            plan_job({"id": 1, "pages": 1, "paper": "vellum"})


if __name__ == "__main__":
    unittest.main()
