using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace McpEgress.Export;

/// <summary>
/// Writes one event as nested JSON in a single pass, straight into the <see cref="EventBuffer"/> as UTF-8, with no tree
/// in between. Field names are UTF-8 literals of the mapping (<c>"domain"u8</c>: plain ASCII names that need no
/// escaping), copied as they are: no lookup, no transcoding per field. String values are written the way
/// <see cref="Utf8JsonWriter"/> with <see cref="JsonOptions"/> writes them, byte for byte: printable ASCII that the
/// encoder leaves alone (nearly every value: addresses, domains, hosts) is narrowed and copied; anything else goes
/// through a <see cref="Utf8JsonWriter"/> with those options.
/// <para><see cref="Open"/>/<see cref="OpenArray"/>/<see cref="OpenItem"/> write the name and bracket at once and take
/// them back at <see cref="Close"/> if no member followed, so an object or array left empty is omitted, and a null
/// value is never written (absent means omitted).</para>
/// <para>Each name is checked against the names already written in its object (compared with their bytes in the
/// output), so writing one field path twice (two places mapping the same ECS field, the way a non-ECS field once
/// shipped) throws <see cref="EcsFieldConflictException"/> instead of producing a duplicate key or silently dropping a
/// value. An object's own name is checked when its first member is written, as the object is then known to stay.</para>
/// Not thread-safe: <see cref="EcsEventWriter"/> serializes events.
/// </summary>
internal sealed class EcsFieldWriter(EventBuffer output)
{
    /// <summary>How strings are escaped: non-ASCII text stays readable; control characters and quotes are still escaped, so '\n' only ends lines.</summary>
    internal static readonly JsonWriterOptions JsonOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    // The ASCII bytes the encoder escapes, asked of the encoder itself: a value without any of them (and without
    // non-ASCII characters) is written as it is, exactly as Utf8JsonWriter would write it. For the JSON encoders
    // these are the control characters, DEL, '"' and '\\', which two plain vectorized searches find faster than a
    // set search over short values.
    private static readonly byte[] AsciiEscaped = AsciiEscapedBy(JsonOptions.Encoder!);
    private static readonly SearchValues<byte> AsciiToEscape = SearchValues.Create(AsciiEscaped);
    private static readonly bool EscapesControlQuoteBackslash =
        AsciiEscaped.SequenceEqual([.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', (byte)'\\', (byte)0x7F]);

    private static byte[] AsciiEscapedBy(JavaScriptEncoder encoder)
    {
        var escaped = new List<byte>();
        for (int b = 0; b < 128; b++)
            if (encoder.FindFirstCharacterToEncodeUtf8([(byte)b]) == 0) escaped.Add((byte)b);
        return escaped.ToArray();
    }

    /// <summary>
    /// Copies <paramref name="text"/> narrowed to bytes into <paramref name="into"/> (at least as long) when every
    /// character is ASCII the encoder leaves as it is; false (<paramref name="into"/> holding garbage) otherwise.
    /// </summary>
    private static bool TryNarrowPlain(ReadOnlySpan<char> text, Span<byte> into)
    {
        if (!EscapesControlQuoteBackslash)
            return System.Text.Ascii.FromUtf16(text, into, out int n) == OperationStatus.Done && into[..n].IndexOfAny(AsciiToEscape) < 0;
        // One pass for the three questions (ASCII? printable? no '"' or '\\'?) and the copy: values are short, so
        // three library calls cost more than the work. Eight characters at a time, the last eight overlapping.
        int i = 0;
        if (Vector128.IsHardwareAccelerated && text.Length >= Vector128<ushort>.Count)
        {
            ref ushort from = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
            ref byte to = ref MemoryMarshal.GetReference(into);
            var space = Vector128.Create((ushort)0x20);
            var printable = Vector128.Create((ushort)(0x7F - 0x20)); // c - 0x20 below this: 0x20..0x7E
            var quote = Vector128.Create((ushort)'"');
            var backslash = Vector128.Create((ushort)'\\');
            int last = text.Length - Vector128<ushort>.Count;
            while (true)
            {
                var v = Vector128.LoadUnsafe(ref from, (nuint)i);
                var bad = Vector128.GreaterThanOrEqual(v - space, printable) | Vector128.Equals(v, quote) | Vector128.Equals(v, backslash);
                if (bad != Vector128<ushort>.Zero) return false;
                Vector128.Narrow(v, v).GetLower().StoreUnsafe(ref to, (nuint)i);
                if (i == last) return true;
                i = Math.Min(i + Vector128<ushort>.Count, last);
            }
        }
        for (; i < text.Length; i++)
        {
            char c = text[i];
            if ((uint)(c - 0x20) >= 0x7F - 0x20 || c == '"' || c == '\\') return false;
            into[i] = (byte)c;
        }
        return true;
    }

    private struct Frame
    {
        public int Start;      // output length before its comma and name: where an empty one is cut back to
        public int NameAt;     // its name's bytes in the output
        public int NameLength; // -1: an item of an array (or the event itself)
        public bool IsArray;
        public bool Claimed;   // has a member: its name is checked and recorded in its parent
        public int Count;      // members or items written (an open child counts)
        public int KeyStart;   // where its member names start in _keys
        public ulong KeyMask;  // a bit per member name written (KeyBit): most names need no comparison at all
    }

    private struct Key
    {
        public int At, Length; // the name's bytes in the output
    }

    private Frame[] _frames = new Frame[16];
    private int _depth;
    private Key[] _keys = new Key[64]; // names written in the open objects
    private int _keyCount;
    private ArrayBufferWriter<byte>? _escapedBuffer;
    private Utf8JsonWriter? _escaped;

    public void BeginEvent()
    {
        _depth = 0;
        _keyCount = 0;
        _frames[0] = new Frame { NameLength = -1, Claimed = true };
        output.Append((byte)'{');
    }

    public void EndEvent()
    {
        if (_depth != 0) throw new InvalidOperationException($"event ended with {_depth} objects open");
        output.Append((byte)'}');
    }

    /// <summary>Begins the object <paramref name="name"/> in the current object (kept only if a member follows).</summary>
    public void Open(ReadOnlySpan<byte> name) => Push(name, isArray: false);

    /// <summary>Begins the array <paramref name="name"/> in the current object (kept only if an item follows).</summary>
    public void OpenArray(ReadOnlySpan<byte> name) => Push(name, isArray: true);

    /// <summary>Begins an object item of the current array (kept only if a member follows).</summary>
    public void OpenItem()
    {
        ref var parent = ref _frames[_depth];
        if (!parent.IsArray) throw new InvalidOperationException("an item outside an array");
        int start = output.Length;
        var span = output.GetSpan(2);
        int n = 0;
        if (parent.Count++ > 0) span[n++] = (byte)',';
        span[n++] = (byte)'{';
        output.Advance(n);
        PushFrame(start, 0, -1, isArray: false);
    }

    /// <summary>Ends the innermost <see cref="Open"/>, <see cref="OpenArray"/> or <see cref="OpenItem"/>.</summary>
    public void Close()
    {
        if (_depth == 0) throw new InvalidOperationException("nothing open");
        ref var f = ref _frames[_depth];
        if (f.Count == 0)
        {
            output.Truncate(f.Start); // empty: omitted, as if never opened
            _frames[_depth - 1].Count--;
        }
        else
        {
            output.Append(f.IsArray ? (byte)']' : (byte)'}');
            _keyCount = f.KeyStart; // its members' names are done with; its own name stays in the parent's
        }
        _depth--;
    }

    public void String(ReadOnlySpan<byte> name, string? value)
    {
        if (value is null) return;
        Member(name);
        if (!TryPlain(value)) Escaped(Utf16.Clean(value));
    }

    /// <summary>
    /// A string from the mapping's own small set of words (ECS keywords such as <c>event.kind</c>, rule ids, reasons),
    /// never one from traffic. Must be valid UTF-16.
    /// </summary>
    public void Keyword(ReadOnlySpan<byte> name, string value)
    {
        Member(name);
        Quoted(value);
    }

    /// <summary>An array of <see cref="Keyword"/> strings; omitted when empty.</summary>
    public void Keywords(ReadOnlySpan<byte> name, IReadOnlyList<string> values)
    {
        if (values.Count == 0) return;
        OpenArray(name);
        for (int i = 0; i < values.Count; i++)
        {
            ItemSeparator();
            Quoted(values[i]);
        }
        Close();
    }

    /// <summary>A string built in a caller's buffer (timestamps, trimmed versions); must be valid UTF-16.</summary>
    public void String(ReadOnlySpan<byte> name, ReadOnlySpan<char> value)
    {
        Member(name);
        Quoted(value);
    }

    public void Long(ReadOnlySpan<byte> name, long value)
    {
        Member(name);
        Number(value);
    }

    public void Bool(ReadOnlySpan<byte> name, bool value)
    {
        Member(name);
        var literal = value ? "true"u8 : "false"u8;
        literal.CopyTo(output.GetSpan(literal.Length));
        output.Advance(literal.Length);
    }

    /// <summary>A string item of the current array (opened with <see cref="OpenArray"/>).</summary>
    public void Item(string value)
    {
        ItemSeparator();
        if (!TryPlain(value)) Escaped(Utf16.Clean(value));
    }

    /// <summary>A number item of the current array (opened with <see cref="OpenArray"/>).</summary>
    public void Item(long value)
    {
        ItemSeparator();
        Number(value);
    }

    /// <summary>A keyword array; omitted when empty.</summary>
    public void Strings(ReadOnlySpan<byte> name, IReadOnlyList<string> values)
    {
        if (values.Count == 0) return;
        OpenArray(name);
        for (int i = 0; i < values.Count; i++) Item(values[i]);
        Close();
    }

    /// <summary>An array of objects, one per item (at most <paramref name="max"/>), each written by <paramref name="write"/>; omitted when empty.</summary>
    public void Objects<T>(ReadOnlySpan<byte> name, IReadOnlyList<T> items, int max, Action<EcsFieldWriter, T> write)
    {
        if (items.Count == 0) return;
        OpenArray(name);
        for (int i = 0; i < items.Count && i < max; i++)
        {
            OpenItem();
            write(this, items[i]);
            Close();
        }
        Close();
    }

    /// <summary>Drops the open frames after a failed event, so the next event starts clean.</summary>
    public void Reset()
    {
        _depth = 0;
        _keyCount = 0;
        Repeatable = null;
    }

    // Parts of an event that the next events repeat byte for byte (a message's fields in each of its alerts): the
    // members a part added to its object, as bytes without a leading comma, and where their names are in them.
    private sealed class Part
    {
        public byte[] Bytes = new byte[1024];
        public int Length = -1; // -1: not recorded
        public int Members;
        public Key[] Keys = new Key[16];
        public int KeyCount;
    }

    private readonly Part[] _parts = [new(), new()];
    private const int MaxPartBytes = 64 * 1024; // what a part may keep between events
    private object? _repeatable;

    /// <summary>
    /// What the parts recorded (<see cref="Record"/>) are of: set to the item being written when the next events may
    /// repeat its parts as they are now; any other value forgets them; null records nothing.
    /// </summary>
    public object? Repeatable
    {
        get => _repeatable;
        set
        {
            if (ReferenceEquals(value, _repeatable)) return;
            _repeatable = value;
            foreach (var p in _parts) p.Length = -1;
        }
    }

    /// <summary>Where a part starts (<see cref="Record"/>).</summary>
    public readonly record struct PartStart(int Output, int Keys, int Count);

    public PartStart StartPart() => new(output.Length, _keyCount, _frames[_depth].Count);

    /// <summary>
    /// Keeps what was written in the current object since <paramref name="start"/> as part <paramref name="slot"/> of
    /// <see cref="Repeatable"/>: its bytes, the members it added and their names.
    /// </summary>
    public void Record(int slot, PartStart start)
    {
        if (_repeatable is null) return;
        var part = _parts[slot];
        ref var f = ref _frames[_depth];
        part.Members = f.Count - start.Count;
        int skip = part.Members > 0 && start.Count > 0 ? 1 : 0; // the comma before the part's first member
        int from = start.Output + skip;
        var bytes = output.WrittenSpan[from..];
        if (bytes.Length > MaxPartBytes) // a huge message (thousands of addresses): its alerts write it afresh
        {
            part.Length = -1;
            return;
        }
        if (part.Bytes.Length < bytes.Length) part.Bytes = new byte[Math.Max(bytes.Length, part.Bytes.Length * 2)];
        bytes.CopyTo(part.Bytes);
        part.Length = bytes.Length;
        part.KeyCount = 0;
        for (int i = start.Keys; i < _keyCount; i++) // the part's members' names (deeper ones were dropped at Close)
        {
            if (_keys[i].At < from) continue; // the current object's own name, claimed by the part's first member
            if (part.KeyCount == part.Keys.Length) Array.Resize(ref part.Keys, part.Keys.Length * 2);
            part.Keys[part.KeyCount++] = new Key { At = _keys[i].At - from, Length = _keys[i].Length };
        }
    }

    /// <summary>
    /// Writes part <paramref name="slot"/> of <see cref="Repeatable"/> into the current object again (its names
    /// checked and claimed like any member's); false when it was not recorded.
    /// </summary>
    public bool TryRepeat(int slot)
    {
        var part = _parts[slot];
        if (part.Length < 0 || _repeatable is null) return false;
        if (part.Members == 0) return true;
        ref var f = ref _frames[_depth];
        if (!f.Claimed) ClaimOpenFrames();
        var written = part.Bytes.AsSpan(0, part.Length);
        for (int i = 0; i < part.KeyCount; i++)
        {
            var k = part.Keys[i];
            CheckUnclaimed(ref f, _depth, written.Slice(k.At, k.Length));
        }
        int comma = f.Count > 0 ? 1 : 0;
        var span = output.GetSpan(part.Length + comma);
        if (comma == 1) span[0] = (byte)',';
        written.CopyTo(span[comma..]);
        int at = output.Length + comma;
        output.Advance(part.Length + comma);
        for (int i = 0; i < part.KeyCount; i++) AddKey(at + part.Keys[i].At, part.Keys[i].Length);
        f.Count += part.Members;
        return true;
    }

    /// <summary>Writes <c>"name":[</c> or <c>"name":{</c> now; claimed with the first member, cut back if none comes.</summary>
    private void Push(ReadOnlySpan<byte> name, bool isArray)
    {
        ref var parent = ref _frames[_depth];
        if (parent.IsArray) throw new InvalidOperationException($"field '{Encoding.UTF8.GetString(name)}' written inside an array");
        int start = output.Length;
        int nameAt = WriteName(ref parent, name);
        output.Append(isArray ? (byte)'[' : (byte)'{');
        PushFrame(start, nameAt, name.Length, isArray);
    }

    private void PushFrame(int start, int nameAt, int nameLength, bool isArray)
    {
        if (++_depth == _frames.Length) Array.Resize(ref _frames, _frames.Length * 2);
        _frames[_depth] = new Frame { Start = start, NameAt = nameAt, NameLength = nameLength, IsArray = isArray };
    }

    /// <summary>A named member of the current object: claims the open objects and the name, writes <c>,"name":</c>.</summary>
    private void Member(ReadOnlySpan<byte> name)
    {
        ref var f = ref _frames[_depth];
        if (f.IsArray) throw new InvalidOperationException($"field '{Encoding.UTF8.GetString(name)}' written inside an array");
        if (!f.Claimed) ClaimOpenFrames();
        CheckUnclaimed(ref f, _depth, name);
        AddKey(WriteName(ref f, name), name.Length);
    }

    /// <summary>The comma before an item of the current array (after claiming the open frames).</summary>
    private void ItemSeparator()
    {
        ref var f = ref _frames[_depth];
        if (!f.IsArray) throw new InvalidOperationException("an item outside an array");
        if (!f.Claimed) ClaimOpenFrames();
        if (f.Count++ > 0) output.Append((byte)',');
    }

    /// <summary>Writes <c>,"name":</c> (the comma unless first) in <paramref name="f"/>; where the name's bytes are.</summary>
    private int WriteName(ref Frame f, ReadOnlySpan<byte> name)
    {
        var span = output.GetSpan(name.Length + 4);
        int n = 0;
        if (f.Count++ > 0) span[n++] = (byte)',';
        span[n++] = (byte)'"';
        name.CopyTo(span[n..]);
        int at = output.Length + n;
        n += name.Length;
        span[n++] = (byte)'"';
        span[n++] = (byte)':';
        output.Advance(n);
        return at;
    }

    /// <summary>The open frames without a member get one now: check and record their names in their parents.</summary>
    private void ClaimOpenFrames()
    {
        int first = _depth;
        while (!_frames[first - 1].Claimed) first--;
        for (int i = first; i <= _depth; i++)
        {
            ref var f = ref _frames[i];
            if (f.NameLength >= 0)
            {
                CheckUnclaimed(ref _frames[i - 1], i - 1, output.WrittenSpan.Slice(f.NameAt, f.NameLength));
                AddKey(f.NameAt, f.NameLength);
            }
            f.KeyStart = _keyCount;
            f.KeyMask = 0;
            f.Claimed = true;
        }
    }

    /// <summary>Throws if frame <paramref name="f"/> (at <paramref name="depth"/>) already has a member <paramref name="name"/> (a bug in the mapping).</summary>
    private void CheckUnclaimed(ref Frame f, int depth, ReadOnlySpan<byte> name)
    {
        ulong bit = KeyBit(name);
        if ((f.KeyMask & bit) != 0)
        {
            var written = output.WrittenSpan;
            for (int i = f.KeyStart; i < _keyCount; i++)
            {
                var k = _keys[i];
                if (k.Length == name.Length && written.Slice(k.At, k.Length).SequenceEqual(name))
                    throw new EcsFieldConflictException(PathOf(depth, name));
            }
        }
        f.KeyMask |= bit; // the name is added next (AddKey)
    }

    /// <summary>One of 64 bits for a name, from its length and end bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong KeyBit(ReadOnlySpan<byte> name) =>
        name.IsEmpty ? 1 : 1UL << ((name.Length * 7 + name[0] * 3 + name[^1]) & 63);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AddKey(int at, int length)
    {
        if (_keyCount == _keys.Length) Array.Resize(ref _keys, _keys.Length * 2);
        _keys[_keyCount++] = new Key { At = at, Length = length };
    }

    private string PathOf(int depth, ReadOnlySpan<byte> name)
    {
        var sb = new StringBuilder();
        for (int i = 1; i <= depth; i++)
        {
            ref var f = ref _frames[i];
            sb.Append(f.NameLength < 0 ? "[]" : Encoding.UTF8.GetString(output.WrittenSpan.Slice(f.NameAt, f.NameLength))).Append('.');
        }
        return sb.Append(Encoding.UTF8.GetString(name)).ToString();
    }

    /// <summary>A JSON string, escaped as Utf8JsonWriter with <see cref="JsonOptions"/> escapes it.</summary>
    private void Quoted(ReadOnlySpan<char> value)
    {
        if (!TryPlain(value)) Escaped(value);
    }

    /// <summary>
    /// Writes <paramref name="value"/> as it is, quoted, when it is ASCII that the encoder leaves alone (then it holds
    /// no surrogate either); false, with nothing written, otherwise.
    /// </summary>
    private bool TryPlain(ReadOnlySpan<char> value)
    {
        var span = output.GetSpan(value.Length + 2);
        if (!TryNarrowPlain(value, span.Slice(1, value.Length))) return false;
        span[0] = (byte)'"';
        span[value.Length + 1] = (byte)'"';
        output.Advance(value.Length + 2);
        return true;
    }

    /// <summary>Text with non-ASCII characters or characters to escape: Utf8JsonWriter itself writes it (then copied).</summary>
    private void Escaped(ReadOnlySpan<char> value)
    {
        _escapedBuffer ??= new ArrayBufferWriter<byte>(256);
        _escaped ??= new Utf8JsonWriter(_escapedBuffer, JsonOptions);
        _escapedBuffer.ResetWrittenCount();
        _escaped.Reset();
        _escaped.WriteStringValue(value);
        _escaped.Flush();
        var bytes = _escapedBuffer.WrittenSpan;
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
        if (_escapedBuffer.Capacity > MaxKeptEscapedBytes) // one huge value does not stay for the writer's lifetime
        {
            _escaped.Dispose();
            _escaped = null;
            _escapedBuffer = null;
        }
    }

    private const int MaxKeptEscapedBytes = 64 * 1024;

    private void Number(long value)
    {
        Utf8Formatter.TryFormat(value, output.GetSpan(20), out int n);
        output.Advance(n);
    }
}
