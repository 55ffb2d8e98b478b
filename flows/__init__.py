"""Prefect flows: thin orchestration over the plain stage functions in `stages`.

Every process that runs a flow (a worker's flow run, `python -m flows.serve`, the CLI)
imports this package first, so the private umask is set here for all of them.
"""

from foundation.private import restrict_umask

restrict_umask()
