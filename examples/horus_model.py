"""The Horus model of horus-model.mjs in Python, as a command: horus_model.py jobs|clients|payload N.

Builds N jobs / N clients / one job with an N-byte payload and its JSON body, keeps them alive, and holds
them briefly so every sampled tier sees the peak (the cgroup's peak counter needs no wait).
"""
import http.client
import json
import os
import sys
import time

sequence = 0


def create_job(payload=None):
    global sequence
    sequence += 1
    n = sequence
    payload = payload or {"retries": 3, "queue": "default"}
    job_id = f"job-{n:08x}-{os.urandom(8).hex()}"
    step = f"run-step --job {job_id} --shard {n % 16} --retries {payload['retries']}\n"
    return {
        "id": job_id,
        "name": f"process-batch-{n}",
        "status": "pending",
        "priority": n % 5,
        "created_at": time.time(),
        "updated_at": None,
        "attempts": 0,
        "max_attempts": 3,
        "tags": ["horus", "batch", f"shard-{n % 16}"],
        "payload": {**payload, "job_id": job_id},
        "script": f"#!/bin/sh\nset -eu\n# {job_id}\n" + step * 8,
        "result": None,
    }


class SupervisorClient:
    """An HTTP connection (not connected), read/write buffers and default headers."""

    def __init__(self, base_port):
        self.connection = http.client.HTTPConnection("127.0.0.1", base_port, timeout=5)
        self.read_buffer = bytearray(16 * 1024)
        self.write_buffer = bytearray(8 * 1024)
        self.headers = {"user-agent": "horus-client/0.1", "accept": "application/json", "x-client-id": os.urandom(8).hex()}
        self.in_flight = {}


def create_payload_job(size):
    data = ("horus-payload " * (size // 14 + 1))[:size]
    job = create_job({"retries": 3, "queue": "payloads", "data": data})
    return job, json.dumps(job)


def main():
    mode, n = sys.argv[1], int(sys.argv[2])
    if mode == "jobs":
        kept = [create_job() for _ in range(n)]
    elif mode == "clients":
        kept = [SupervisorClient(8000 + i % 100) for i in range(n)]
    elif mode == "payload":
        kept = create_payload_job(n)
    else:
        sys.exit(f"unknown mode {mode!r}: use jobs, clients or payload")
    time.sleep(0.05)
    return kept


if __name__ == "__main__":
    main()
