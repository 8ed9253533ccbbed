"""Stand-in for the old name of scripts/with_services.py, kept for one importer only.

tests/test_timers_integration.py (not this change's file) does ``import services`` for
``start_throwaway_redis``; once it imports ``local_redis`` instead, delete this file. It is not
a command: run scripts/with_services.py.
"""

from local_redis import start_throwaway_redis

__all__ = ["start_throwaway_redis"]
