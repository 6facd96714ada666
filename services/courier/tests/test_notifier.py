import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

import courier


class CourierTest(unittest.TestCase):
    def test_alive_after_a_beat_and_not_after_silence(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "beat"
            self.assertFalse(courier.alive(path))
            courier.beat(path)
            self.assertTrue(courier.alive(path))
            self.assertFalse(courier.alive(path, now=time.time() + 60))

    def test_health_command_exit_code(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "beat"
            env = {"HEARTBEAT_FILE": str(path), "PYTHONPATH": str(Path(__file__).parents[1])}
            run = [sys.executable, "-m", "courier.alive"]
            self.assertEqual(subprocess.run(run, env=env, check=False).returncode, 1)
            courier.beat(path)
            self.assertEqual(subprocess.run(run, env=env, check=False).returncode, 0)

    def test_notify(self) -> None:
        self.assertEqual(courier.notify({"id": "7", "city": "Leeds"}),
                         "Order 7 has shipped to Leeds.")


if __name__ == "__main__":
    unittest.main()
