namespace McpEgress.Fuzz;

/// <summary>
/// A harness found a bug: an invariant broke, or the library's own safety net caught an exception and reported it
/// as an anomaly (so the monitor survives, but the parser has a bug). The caught exception, when known, is inner.
/// </summary>
internal sealed class FuzzBugException(string message, Exception? inner = null) : Exception(message, inner);
