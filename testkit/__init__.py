"""What tests and benchmarks share to drive the product: a recording fake of Slack's Web API,
Slack-shaped signed requests, and devhost run in-process or as a child process.

Never deployed (.funcignore); imported as ``testkit`` from the repository root.
"""
