namespace McpEgress.Attribution;

/// <summary>What a <see cref="SenderIdentity"/> names.</summary>
public enum SenderKind
{
    /// <summary>The process's own executable (nothing more specific is known).</summary>
    Executable,
    /// <summary>An npm package (package.json name and version).</summary>
    Npm,
    /// <summary>A PyPI distribution (*.dist-info/METADATA Name and Version).</summary>
    PyPI,
    /// <summary>A container image reference (docker run IMAGE): repository and tag or digest.</summary>
    Container,
}
