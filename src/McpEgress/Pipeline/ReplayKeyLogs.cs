using McpEgress.Protocols.Tls;

namespace McpEgress.Pipeline;

/// <summary>
/// Loads a replay's key logs into a <see cref="TlsKeyLog"/> with bounded memory. Each file is streamed. When they hold
/// more client randoms than the key log keeps (<see cref="TlsKeyLogOptions.MaxEntries"/>), entries were evicted, maybe
/// the ones the capture needs: then the captures are scanned for their ClientHello randoms
/// (<see cref="ClientHelloRandomScanner"/>), those are marked wanted, and the files are loaded again, so only
/// entries no session in the capture needs are evicted. A small key log costs one pass; an oversized one two passes
/// over it and one raw pass over the captures.
/// </summary>
public static class ReplayKeyLogs
{
    /// <summary>Returns null, or one line naming the key log that cannot be read and why.</summary>
    public static string? Load(TlsKeyLog keyLog, IReadOnlyList<string> keyLogPaths, IReadOnlyList<string> capturePaths)
    {
        if (LoadAll(keyLog, keyLogPaths) is { } error) return error;
        if (keyLog.Evicted == 0) return null;
        foreach (var capture in capturePaths)
        {
            try { ClientHelloRandomScanner.Scan(capture, keyLog.Want); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // the replay reports the capture itself
        }
        keyLog.Clear();
        return LoadAll(keyLog, keyLogPaths);
    }

    private static string? LoadAll(TlsKeyLog keyLog, IReadOnlyList<string> paths)
    {
        foreach (var path in paths)
        {
            try
            {
                keyLog.LoadFile(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                string why = e switch
                {
                    FileNotFoundException or DirectoryNotFoundException => "no such file",
                    UnauthorizedAccessException => "permission denied",
                    _ => e.Message,
                };
                return $"key log {path}: {why}";
            }
        }
        return null;
    }
}
