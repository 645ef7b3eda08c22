"""Real time: the app's signed pushes of customers whose committed ERP change moves a score.

receiver.py (the signed WSGI route), queue.py (the store's push queue), serve.py (the thread `run` starts).
`run` drains the queue between periodic passes with push passes (`Pipeline.run_push`, sidecar/sync/pushed.py).
"""

from sidecar.push.queue import Pushed, PushQueue
from sidecar.push.receiver import PATH, make_app

__all__ = ["PATH", "PushQueue", "Pushed", "make_app"]
