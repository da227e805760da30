"""Service providers reached over ETSI TS 103 120 HI-1: the domestic providers a State's node
orders to preserve or produce data when it executes a request (DESIGN journey 8), the
directory of them that the node's administrators keep, and the mutual-TLS connection to each
provider's HI-1 endpoint."""
