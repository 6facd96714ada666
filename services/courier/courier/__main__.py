import time

from courier import beat, interval

while True:
    beat()  # a real deployment reads the shipping queue and sends notify(...) here
    time.sleep(interval())
