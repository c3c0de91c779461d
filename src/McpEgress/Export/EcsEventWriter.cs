using McpEgress.Detection;
using McpEgress.Inventory;
using McpEgress.Mail;
using McpEgress.Protocols.Routing;
using McpEgress.Reassembly;

namespace McpEgress.Export;

/// <summary>
/// Writes messages, alerts, TLS sessions and unreadable API calls as Elastic Common Schema events, one JSON object per
/// line (NDJSON, UTF-8). The fields are mapped by <see cref="EcsEventMapping"/> straight into one reused UTF-8 buffer
/// (no object tree per event); the buffer goes to the stream in whole lines when it holds
/// <see cref="EcsWriterOptions.BufferBytes"/>, when <see cref="EcsWriterOptions.MaxFlushDelay"/> passes after an event
/// (a timer), at <see cref="Flush"/> and at Dispose — so a reader never sees half an event. Field list: ECS-SCHEMA.md
/// next to this file. Safe to call from several threads (calls are serialized).
/// </summary>
public sealed class EcsEventWriter : IDisposable
{
    /// <summary>Elastic detection-rule convention for <c>event.severity</c>.</summary>
    public static int SeverityNumber(Severity s) => EcsEventMapping.SeverityNumber(s);

    private readonly Stream _stream;
    private readonly EcsWriterOptions _options;
    private readonly EventBuffer _buffer;
    private readonly EcsFieldWriter _fields;
    private readonly Lock _lock = new();
    private readonly long[] _pending = new long[4]; // buffered events by EcsEventKind
    private readonly Timer? _timer;
    private bool _timerArmed;
    private bool _disposed;

    public EcsEventWriter(Stream stream, EcsWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _options = options ?? new EcsWriterOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(_options.BufferBytes);
        _buffer = new EventBuffer(_options.BufferBytes + 16 * 1024);
        _fields = new EcsFieldWriter(_buffer);
        if (_options.MaxFlushDelay is { } delay)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(delay, TimeSpan.Zero, nameof(EcsWriterOptions.MaxFlushDelay));
            _timer = new Timer(static s => ((EcsEventWriter)s!).OnFlushDeadline(), this, Timeout.Infinite, Timeout.Infinite);
        }
    }

    /// <summary>Told about every batch written or lost (the daemon's metrics and anomaly counters).</summary>
    public IEcsWriteObserver? Observer { get; set; }

    /// <summary>Events that reached the stream.</summary>
    public long EventsWritten { get; private set; }

    // A full disk, /dev/full, a closed pipe: output failures are counted here, never thrown into the pipeline (which
    // would count them as internal errors of the packet at hand). The next batch tries again.

    /// <summary>Events that could not be written (the stream threw); they are lost.</summary>
    public long EventsDropped { get; private set; }

    /// <summary>Failed writes and flushes.</summary>
    public long WriteFailures { get; private set; }

    /// <summary>The latest write failure's message (one line), or null if none ever failed.</summary>
    public string? LastWriteError { get; private set; }

    /// <summary>True after a failed write or flush, until events are written again.</summary>
    public bool Failing { get; private set; }

    /// <summary>One <c>event.kind: event</c> line for a message.</summary>
    public void WriteMessage(MailMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Write(EcsEventKind.Message, message, static (w, m, max) => EcsEventMapping.Message(w, m, max), Parts.Record, message);
    }

    /// <summary>One <c>event.kind: alert</c> line, carrying the same message fields as <see cref="WriteMessage"/>.</summary>
    public void WriteAlert(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        // Its message's fields are the bytes of the message event written just before it, unless the alert waited for
        // the sender (the message has changed since: it has a process now).
        Write(EcsEventKind.Alert, alert, static (w, a, max) => EcsEventMapping.Alert(w, a, max), alert.Deferred ? Parts.None : Parts.Reuse, alert.Mail);
    }

    /// <summary>One <c>event.category: network</c> line per TLS connection (see <see cref="EcsEventMapping.TlsSession"/>).</summary>
    public void WriteTlsSession(TlsSessionRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Write(EcsEventKind.Tls, record, static (w, r, _) => EcsEventMapping.TlsSession(w, r));
    }

    /// <summary>A send-like mail-API call whose payload could not be read (see <see cref="EcsEventMapping.MailApiUnreadable"/>).</summary>
    public void WriteMailApiUnreadable(MailApiUnreadableRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        Write(EcsEventKind.Message, r, static (w, x, _) => EcsEventMapping.MailApiUnreadable(w, x));
    }

    /// <summary>An MCP server inventory change (see <see cref="EcsEventMapping.McpServerChange"/>) at <paramref name="timestampNs"/>.</summary>
    public void WriteMcpServerChange(McpServerChange change, long timestampNs)
    {
        ArgumentNullException.ThrowIfNull(change);
        Write(EcsEventKind.Inventory, (change, timestampNs), static (w, x, _) => EcsEventMapping.McpServerChange(w, x.change, x.timestampNs));
    }

    /// <summary>An MCP server's first flow to a destination it never reached (see <see cref="EcsEventMapping.EgressNewDestination"/>); counted as an inventory event.</summary>
    public void WriteEgressNewDestination(McpEgress.Detection.Egress.NewDestination destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        Write(EcsEventKind.Inventory, destination, static (w, d, _) => EcsEventMapping.EgressNewDestination(w, d));
    }

    /// <summary>An alert about an MCP server (see <see cref="EcsEventMapping.McpServerAlert"/>).</summary>
    public void WriteMcpServerAlert(McpServerAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        Write(EcsEventKind.Alert, alert, static (w, a, _) => EcsEventMapping.McpServerAlert(w, a));
    }

    /// <summary>Writes what is buffered and flushes the stream; a failure is counted (<see cref="WriteFailures"/>), not thrown.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            if (!_disposed) WriteOut(flushStream: true);
        }
    }

    /// <summary>Writes what is buffered, flushes and closes; a failure is counted (<see cref="WriteFailures"/>), not thrown.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _timer?.Dispose();
            WriteOut(flushStream: true);
            _disposed = true;
            _buffer.Dispose();
            if (_options.LeaveOpen) return;
            try { _stream.Dispose(); } // a buffered FileStream flushes again here
            catch (IOException e) { Failed(e); }
        }
    }

    /// <summary>What an event does with the parts of a message event that its alerts repeat (<see cref="EcsFieldWriter.Repeatable"/>).</summary>
    private enum Parts
    {
        None,   // neither records nor repeats (the recorded parts are forgotten)
        Record, // a message event: records its parts afresh
        Reuse,  // an alert: repeats the parts of its message if they were the last recorded, else writes them
    }

    private void Write<T>(EcsEventKind kind, T item, Action<EcsFieldWriter, T, int> map, Parts parts = Parts.None, object? partsOf = null)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            int start = _buffer.Length;
            if (parts == Parts.Record) _fields.Repeatable = null; // the same message written again may have changed
            _fields.Repeatable = parts == Parts.Record || (parts == Parts.Reuse && ReferenceEquals(_fields.Repeatable, partsOf)) ? partsOf : null;
            try
            {
                _fields.BeginEvent();
                map(_fields, item, _options.MaxAddressesPerEvent);
                _fields.EndEvent();
            }
            catch
            {
                // A bug (a field written twice) or hostile text the encoder refused: no half event stays behind.
                _fields.Reset();
                _buffer.Truncate(start);
                throw;
            }
            _buffer.Append((byte)'\n');
            _pending[(int)kind]++;
            if (_buffer.Length >= _options.BufferBytes) WriteOut(flushStream: _options.BufferBytes == 0);
            else if (_timer is not null && !_timerArmed)
            {
                _timerArmed = true;
                _timer.Change(_options.MaxFlushDelay!.Value, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void OnFlushDeadline()
    {
        lock (_lock)
        {
            _timerArmed = false;
            if (!_disposed) WriteOut(flushStream: true);
        }
    }

    /// <summary>Hands the buffered lines to the stream (and flushes it); counts them written or dropped. Under the lock.</summary>
    private void WriteOut(bool flushStream)
    {
        long count = _pending.Sum();
        if (_buffer.Length == 0 && !flushStream) return;
        try
        {
            if (_buffer.Length > 0) _stream.Write(_buffer.WrittenSpan);
            if (flushStream) _stream.Flush();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Failed(e);
            Forget();
            if (count == 0) return;
            EventsDropped += count;
            Observer?.OnDropped(count);
            return;
        }
        if (count == 0) return;
        Failing = false;
        EventsWritten += count;
        if (Observer is { } observer)
            for (int k = 0; k < _pending.Length; k++)
                if (_pending[k] > 0) observer.OnWritten((EcsEventKind)k, _pending[k]);
        Forget();
    }

    private void Forget()
    {
        _buffer.Truncate(0);
        Array.Clear(_pending);
    }

    private void Failed(Exception e)
    {
        WriteFailures++;
        Failing = true;
        LastWriteError = e.Message.ReplaceLineEndings(" ");
    }
}
