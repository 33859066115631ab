"""What an operator watches: request ids, JSON log lines, Prometheus metrics (issue 17).

A shared helper like ``masking``: services, jobs and views may call it; it imports no
service. ``context`` carries the request id, ``logs`` writes the lines, ``metrics``
defines the counters and renders ``/metrics``, ``web`` times each request.
"""
