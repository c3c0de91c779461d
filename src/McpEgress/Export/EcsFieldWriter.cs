using System.Text;
using System.Text.Json;

namespace McpEgress.Export;

/// <summary>
/// Writes one event as nested JSON in a single pass over a <see cref="Utf8JsonWriter"/>, with no tree in between.
/// <see cref="Open"/>/<see cref="OpenArray"/> are lazy: an object's name and brace are written with its first member,
/// so an object or array left empty is omitted, and a null value is never written (absent means omitted).
/// <para>Each name is checked against the names already written in its object, so writing one field path twice
/// (two places mapping the same ECS field, the way a non-ECS field once shipped) throws
/// <see cref="EcsFieldConflictException"/> instead of producing a duplicate key or silently dropping a value. The
/// check is a scan of the current object's names (a handful per object; no allocation).</para>
/// Not thread-safe: <see cref="EcsEventWriter"/> serializes events.
/// </summary>
internal sealed class EcsFieldWriter(Utf8JsonWriter json)
{
    private struct Frame
    {
        public string? Name;  // null for an object inside an array
        public bool IsArray;
        public bool Written;  // its name and opening bracket are in the output
        public int KeyStart;  // where its member names start in _keys
    }

    // Field names in their JSON form, written as bytes instead of escaped and transcoded again for every event: a
    // small open-addressing table hashed on length and end characters (cheaper than a dictionary's string hash; the
    // mapping's names are a few hundred literals). A name that finds no free slot near its hash is encoded each time.
    private const int NameSlots = 1024, NameProbes = 8;
    private readonly string?[] _nameKeys = new string?[NameSlots];
    private readonly JsonEncodedText[] _nameValues = new JsonEncodedText[NameSlots];

    private Frame[] _frames = new Frame[16];
    private int _depth;
    private string[] _keys = new string[64];
    private int _keyCount;

    public void BeginEvent()
    {
        _depth = 0;
        _keyCount = 0;
        _frames[0] = new Frame { Written = true };
        json.WriteStartObject();
    }

    public void EndEvent()
    {
        if (_depth != 0) throw new InvalidOperationException($"event ended with {_depth} objects open");
        json.WriteEndObject();
    }

    /// <summary>Begins the object <paramref name="name"/> in the current object (written only if a member follows).</summary>
    public void Open(string name) => Push(name, isArray: false);

    /// <summary>Begins the array <paramref name="name"/> in the current object (written only if an item follows).</summary>
    public void OpenArray(string name) => Push(name, isArray: true);

    /// <summary>Begins an object item of the current array.</summary>
    public void OpenItem()
    {
        if (!_frames[_depth].IsArray) throw new InvalidOperationException("an item outside an array");
        Push(null, isArray: false);
    }

    /// <summary>Ends the innermost <see cref="Open"/>, <see cref="OpenArray"/> or <see cref="OpenItem"/>.</summary>
    public void Close()
    {
        if (_depth == 0) throw new InvalidOperationException("nothing open");
        ref var f = ref _frames[_depth];
        if (f.Written)
        {
            if (f.IsArray) json.WriteEndArray();
            else json.WriteEndObject();
            _keyCount = f.KeyStart; // its members' names are done with; its own name stays in the parent's
        }
        _depth--;
    }

    public void String(string name, string? value)
    {
        if (value is null) return;
        Member(name);
        json.WriteString(Encoded(name), Utf16.Clean(value));
    }

    /// <summary>
    /// A string from the mapping's own small set of words (ECS keywords such as <c>event.kind</c>, rule ids, reasons),
    /// never one from traffic: written pre-encoded, like the names. Must be valid UTF-16.
    /// </summary>
    public void Keyword(string name, string value)
    {
        Member(name);
        json.WriteString(Encoded(name), Encoded(value));
    }

    /// <summary>An array of <see cref="Keyword"/> strings; omitted when empty.</summary>
    public void Keywords(string name, IReadOnlyList<string> values)
    {
        if (values.Count == 0) return;
        OpenArray(name);
        WritePending();
        for (int i = 0; i < values.Count; i++) json.WriteStringValue(Encoded(values[i]));
        Close();
    }

    /// <summary>A string built in a caller's buffer (timestamps, trimmed versions); must be valid UTF-16.</summary>
    public void String(string name, ReadOnlySpan<char> value)
    {
        Member(name);
        json.WriteString(Encoded(name), value);
    }

    public void Long(string name, long value)
    {
        Member(name);
        json.WriteNumber(Encoded(name), value);
    }

    public void Bool(string name, bool value)
    {
        Member(name);
        json.WriteBoolean(Encoded(name), value);
    }

    /// <summary>A string item of the current array (opened with <see cref="OpenArray"/>).</summary>
    public void Item(string value)
    {
        if (!_frames[_depth].IsArray) throw new InvalidOperationException("an item outside an array");
        WritePending();
        json.WriteStringValue(Utf16.Clean(value));
    }

    /// <summary>A number item of the current array (opened with <see cref="OpenArray"/>).</summary>
    public void Item(long value)
    {
        if (!_frames[_depth].IsArray) throw new InvalidOperationException("an item outside an array");
        WritePending();
        json.WriteNumberValue(value);
    }

    /// <summary>A keyword array; omitted when empty.</summary>
    public void Strings(string name, IReadOnlyList<string> values)
    {
        if (values.Count == 0) return;
        OpenArray(name);
        for (int i = 0; i < values.Count; i++) Item(values[i]);
        Close();
    }

    /// <summary>An array of objects, one per item (at most <paramref name="max"/>), each written by <paramref name="write"/>; omitted when empty.</summary>
    public void Objects<T>(string name, IReadOnlyList<T> items, int max, Action<EcsFieldWriter, T> write)
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

    private void Push(string? name, bool isArray)
    {
        if (++_depth == _frames.Length) Array.Resize(ref _frames, _frames.Length * 2);
        _frames[_depth] = new Frame { Name = name, IsArray = isArray };
    }

    /// <summary>A named member of the current object is about to be written: open what is pending, claim the name.</summary>
    private void Member(string name)
    {
        if (_frames[_depth].IsArray) throw new InvalidOperationException($"field '{name}' written inside an array");
        WritePending();
        Claim(_depth, name);
    }

    /// <summary>Writes the names and brackets of the open objects and arrays that have no member yet.</summary>
    private void WritePending()
    {
        if (_frames[_depth].Written) return;
        int first = _depth;
        while (!_frames[first - 1].Written) first--;
        for (int i = first; i <= _depth; i++)
        {
            ref var f = ref _frames[i];
            if (f.Name is { } name)
            {
                Claim(i - 1, name);
                json.WritePropertyName(Encoded(name));
            }
            if (f.IsArray) json.WriteStartArray();
            else json.WriteStartObject();
            f.Written = true;
            f.KeyStart = _keyCount;
        }
    }

    /// <summary>Records <paramref name="name"/> as written in frame <paramref name="depth"/>; a second time is a bug.</summary>
    private void Claim(int depth, string name)
    {
        for (int i = _frames[depth].KeyStart; i < _keyCount; i++)
            if (string.Equals(_keys[i], name, StringComparison.Ordinal))
                throw new EcsFieldConflictException(PathOf(depth, name));
        if (_keyCount == _keys.Length) Array.Resize(ref _keys, _keys.Length * 2);
        _keys[_keyCount++] = name;
    }

    private string PathOf(int depth, string name)
    {
        var sb = new StringBuilder();
        for (int i = 1; i <= depth; i++)
            sb.Append(_frames[i].Name ?? "[]").Append('.');
        return sb.Append(name).ToString();
    }

    private JsonEncodedText Encoded(string name)
    {
        int hash = name.Length == 0 ? 0 : name.Length * 31 + name[0] * 7 + name[^1] * 3 + name[name.Length >> 1];
        for (int p = 0; p < NameProbes; p++)
        {
            int slot = (hash + p) & (NameSlots - 1);
            var key = _nameKeys[slot];
            if (key is null)
            {
                var encoded = JsonEncodedText.Encode(name, json.Options.Encoder);
                _nameKeys[slot] = name;
                _nameValues[slot] = encoded;
                return encoded;
            }
            if (ReferenceEquals(key, name) || string.Equals(key, name, StringComparison.Ordinal)) return _nameValues[slot];
        }
        return JsonEncodedText.Encode(name, json.Options.Encoder);
    }

    /// <summary>Drops the open frames after a failed event, so the next event starts clean.</summary>
    public void Reset()
    {
        _depth = 0;
        _keyCount = 0;
    }
}
