"""Service providers reached over ETSI TS 103 120 (HI-1): orders to the domestic providers
a State's node orders, and their answers.

A requested State executes a Convention request partly through the service providers under
its jurisdiction: it orders them to preserve data (Arts. 42-43) or to disclose it (Arts. 44,
45, 47), then reads their answers and receives their deliveries, which become evidence with
the provider as the first link of the chain of custody (DESIGN journey 8).

- :mod:`hanoi.providers.hi1`: the messages of HI-1 in the Hanoi "UN" national profile:
  ETSI's schemas (vendored, ADR 0039), a strict validator, builders of orders and status
  requests, readers of answers and deliveries, and their signature.
- the directory of providers that the node's administrators keep (``model``,
  ``credentials``, ``service``, ADR 0040) and ``transport``, the adapter that opens the
  mutual-TLS connection to a provider's HI-1 endpoint.

Pure but for ``transport``: no storage, no web, no clock of its own (times are passed in).
"""
