"""A locust load test of mixed caseworker traffic against gunicorn on loopback (python -m bench.load)."""
