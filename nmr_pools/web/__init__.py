"""The delegators' web page: a static single-page app (built from web/src with esbuild into
`static/`) and the small server `ape pools web` runs to serve it with its configuration.

The server keeps no state and holds no keys: the page reads the chain through the visitor's
wallet (or a read-only RPC URL) and every transaction is signed in the wallet.
"""
