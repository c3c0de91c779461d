namespace McpEgress.Daemon;

/// <summary>
/// An append-only file stream for the events file that rotates by size: before a write would take the file past
/// <see cref="MaxBytes"/>, <c>events.ndjson</c> becomes <c>events.ndjson.1</c> (older ones shift to .2 … and the
/// oldest beyond <see cref="Keep"/> is deleted) and a new file is started. Each write is whole NDJSON lines
/// (<see cref="Export.EcsEventWriter"/> writes a batch of lines per call), so no line is split across files. <see cref="Reopen"/>
/// closes and reopens the path, for an external logrotate that moved the file away (SIGHUP). Files are created 0640.
/// Thread-safe: calls are serialized.
/// <para>A write that fails (disk full) throws and leaves no partial line behind: the file is cut back to its length
/// before the write, so the next event starts on a clean line; writes are unbuffered for that (one write(2) per batch
/// of lines). A rotation whose new file cannot be opened is retried at the next write.</para>
/// </summary>
public sealed class RotatingFileStream : Stream
{
    private const UnixFileMode CreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    private readonly Lock _lock = new();
    private FileStream? _file;
    private long _length;
    // Bytes of the current file that count as rotated already: its length when a rename failed (so the next attempt
    // comes after another MaxBytes, not at every write), else 0.
    private long _rotatedPart;
    private bool _disposed;

    /// <param name="maxBytes">Size that triggers rotation; 0 never rotates.</param>
    /// <param name="keep">Rotated files kept (path.1 … path.keep); 0 keeps none (the full file is deleted).</param>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    /// <exception cref="UnauthorizedAccessException">No permission to create or append to the file.</exception>
    public RotatingFileStream(string path, long maxBytes, int keep)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(keep);
        Path = System.IO.Path.GetFullPath(path);
        MaxBytes = maxBytes;
        Keep = keep;
        _file = Open();
        _length = _file.Length;
    }

    public string Path { get; }
    public long MaxBytes { get; }
    public int Keep { get; }

    /// <summary>Rotations done so far.</summary>
    public long Rotations { get; private set; }

    /// <summary>Rotations whose renames failed (the file kept growing instead).</summary>
    public long RotationFailures { get; private set; }

    /// <summary>Writes that failed (the event line was not stored).</summary>
    public long WriteFailures { get; private set; }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => !_disposed;
    public override long Length { get { lock (_lock) return _length; } }
    public override long Position { get => Length; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (MaxBytes > 0 && _length > _rotatedPart && _length - _rotatedPart + buffer.Length > MaxBytes) RotateLocked();
            if (_file is null) { _file = Open(); _length = _file.Length; }
            try
            {
                _file.Write(buffer);
            }
            catch (IOException)
            {
                WriteFailures++;
                // write(2) may have stored part of the line: cut it off so no half event stays in the file.
                try { RandomAccess.SetLength(_file.SafeFileHandle, _length); }
                catch (IOException) { }
                throw;
            }
            _length += buffer.Length;
        }
    }

    public override void Flush()
    {
        lock (_lock)
        {
            if (!_disposed) _file?.Flush();
        }
    }

    /// <summary>Rotates now (whatever the size), e.g. on request.</summary>
    public void Rotate()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            RotateLocked();
        }
    }

    /// <summary>
    /// Flushes, closes and reopens <see cref="Path"/> (creating it if an external rotation moved it away). On failure the
    /// old handle is kept, so events keep going to the moved file rather than nowhere.
    /// </summary>
    /// <exception cref="IOException">The path cannot be opened; the stream keeps writing to the old file.</exception>
    public void Reopen()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _file?.Flush();
            var next = Open();
            _file?.Dispose();
            _file = next;
            _length = next.Length;
            _rotatedPart = 0;
        }
    }

    private void RotateLocked()
    {
        _file?.Dispose();
        _file = null;
        bool renamed = true;
        try
        {
            if (Keep == 0)
            {
                File.Delete(Path);
            }
            else
            {
                File.Delete($"{Path}.{Keep}");
                for (int i = Keep - 1; i >= 1; i--)
                    if (File.Exists($"{Path}.{i}")) File.Move($"{Path}.{i}", $"{Path}.{i + 1}", overwrite: true);
                File.Move(Path, Path + ".1", overwrite: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Renaming failed (read-only directory?): keep appending to the same file rather than lose events.
            RotationFailures++;
            renamed = false;
        }
        Rotations++;
        _file = Open(); // may throw (then the next write opens it)
        _length = _file.Length;
        _rotatedPart = renamed ? 0 : _length;
    }

    private FileStream Open() => new(Path, new FileStreamOptions
    {
        Mode = FileMode.Append,
        Access = FileAccess.Write,
        Share = FileShare.Read | FileShare.Delete,
        UnixCreateMode = OperatingSystem.IsWindows() ? null : CreateMode,
        BufferSize = 0, // unbuffered: a failed write is known at once and cut back (see the class comment)
    });

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_lock)
            {
                if (!_disposed)
                {
                    _disposed = true;
                    _file?.Dispose();
                }
            }
        }
        base.Dispose(disposing);
    }
}
