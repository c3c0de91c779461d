using McpEgress.Capture;

namespace McpEgress.Pipeline;

/// <summary>Feeds capture files into a pipeline and turns every way a file can be bad into a one-line reason.</summary>
public sealed class CaptureReplay
{
    private readonly MonitorPipeline _pipeline;
    private readonly CaptureReaderOptions _options;
    private readonly IDecryptionSecretsSink? _secrets;

    public CaptureReplay(MonitorPipeline pipeline, CaptureReaderOptions options, IDecryptionSecretsSink? secrets = null)
    {
        _pipeline = pipeline;
        _options = options;
        _secrets = pipeline.InOrder(secrets ?? new KeyLogSecretsSink(pipeline.KeyLog));
    }

    /// <summary>Replays one file. Returns null on success, else "FILE: reason" (a truncated file is still replayed up to the cut).</summary>
    public string? ReplayFile(string path, Action<long>? progress)
    {
        ICaptureReader reader;
        try
        {
            reader = CaptureFile.Open(path, _options, _secrets, _pipeline.Anomalies);
        }
        catch (FileNotFoundException) { return $"{path}: no such file"; }
        catch (DirectoryNotFoundException) { return $"{path}: no such file"; }
        catch (UnauthorizedAccessException) { return $"{path}: permission denied"; }
        catch (CaptureFormatException ex) { return $"{path}: not a capture file ({ex.Message})"; }
        catch (IOException ex) { return $"{path}: cannot read ({ex.Message})"; }

        using (reader)
        {
            long n = 0;
            try
            {
                while (reader.TryReadPacket(out var packet))
                {
                    _pipeline.Process(packet);
                    n++;
                    if (progress is not null && (n & 0x3FF) == 0) progress(reader.Position);
                }
            }
            catch (IOException ex) { return $"{path}: read error after {n} packets ({ex.Message})"; }
            progress?.Invoke(reader.Position);
            if (reader.Truncated)
                return $"{path}: truncated ({reader.TruncationReason ?? "file ends inside a record"}); {n} packets before the cut were processed";
        }
        return null;
    }
}
