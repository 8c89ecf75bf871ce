"""``ray`` (the command line) with this machine's nodes on 127.0.0.1 only.

Ray turns ``--node-ip-address=127.0.0.1`` into the machine's routable address (so that
other machines could join) and then listens on every interface. The tests' cluster must
stay on loopback, so this launcher makes Ray's one address lookup answer 127.0.0.1, for
the command and every process it starts; Ray then binds its servers to 127.0.0.1.
``loopback()`` does the same in the test process before ``ray.init``.
"""

import sys


def loopback() -> None:
    import ray._private.services as services

    services.node_ip_address_from_perspective = lambda address=None: "127.0.0.1"


if __name__ == "__main__":
    loopback()
    from ray.scripts.scripts import main

    sys.exit(main())
