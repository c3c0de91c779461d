namespace McpEgress.Attribution;

/// <summary>
/// A process's <see cref="SenderIdentity"/> with what it was found from: the script (Node or Python, resolved through
/// symlinks) and the npm package or Python distribution, when there is one.
/// </summary>
public sealed record ResolvedSender(SenderIdentity Identity, string? ScriptPath, NodePackage? Node, PythonDistribution? Python);
