//! HTTP/XRPC server for atfn: at.functions.run, health, metrics.
