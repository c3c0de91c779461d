using System.Text;

namespace McpEgress.Protocols.Http.Hpack;

/// <summary>
/// HPACK decoder (RFC 7541) for one direction of one HTTP/2 connection. It decodes whole header blocks (HTTP/2 hands
/// us HEADERS + CONTINUATION fragments, which the session joins under a byte cap), keeps the dynamic table in sync even
/// when the decoded list exceeds our limits (extra fields are dropped, not skipped), and reports errors instead of
/// throwing. After an error the compression state is unknown; the caller must stop using this decoder (RFC 7540 §4.3).
/// </summary>
public sealed class HpackDecoder
{
    private readonly int _tableSizeCap;
    private readonly int _maxListBytes;
    private readonly int _maxFields;
    private byte[] _scratch = new byte[256];

    /// <param name="tableSizeCap">Largest dynamic table we accept (<see cref="HttpOptions.MaxHpackTableSize"/>).</param>
    /// <param name="maxListBytes">Decoded header list size (§4.1 sizes) kept; fields beyond are dropped.</param>
    /// <param name="maxFields">Fields kept per block.</param>
    public HpackDecoder(int tableSizeCap, int maxListBytes, int maxFields, int initialTableSize = 4096)
    {
        _tableSizeCap = tableSizeCap;
        _maxListBytes = maxListBytes;
        _maxFields = maxFields;
        int initial = Math.Min(initialTableSize, tableSizeCap);
        Table = new HpackDynamicTable(initial);
        AllowedTableSize = initial;
    }

    public HpackDynamicTable Table { get; }

    /// <summary>The decoder side's SETTINGS_HEADER_TABLE_SIZE (capped): the most a size update may ask for.</summary>
    public int AllowedTableSize { get; set; }

    /// <summary>Set by the last <see cref="Decode"/>: a size update exceeded <see cref="AllowedTableSize"/> but not our
    /// cap, and was accepted (peers apply SETTINGS asynchronously; we stay loose).</summary>
    public bool SizeUpdateAboveSetting { get; private set; }

    /// <summary>Set by the last <see cref="Decode"/>: fields were dropped over the size or count limit.</summary>
    public bool ListTruncated { get; private set; }

    /// <summary>Decodes one complete header block, appending fields to <paramref name="output"/>.
    /// Returns null on success, else a short reason (the block is malformed and the table state is lost).</summary>
    public string? Decode(ReadOnlySpan<byte> block, List<KeyValuePair<string, string>> output)
    {
        SizeUpdateAboveSetting = false;
        ListTruncated = false;
        int listBytes = 0;
        int fields = 0;
        bool fieldSeen = false;
        int pos = 0;
        while (pos < block.Length)
        {
            byte b = block[pos];
            KeyValuePair<string, string> field;
            if ((b & 0x80) != 0)
            {
                // §6.1 Indexed Header Field.
                if (!TryReadInteger(block, ref pos, 7, out int index))
                    return "bad integer";
                if (!TryGetIndexed(index, out field))
                    return "bad index";
            }
            else if ((b & 0xE0) == 0x20)
            {
                // §6.3 Dynamic Table Size Update: only at the start of a block (§4.2).
                if (fieldSeen)
                    return "size update after field";
                if (!TryReadInteger(block, ref pos, 5, out int size))
                    return "bad integer";
                if (size > _tableSizeCap)
                    return "size update above limit";
                if (size > AllowedTableSize)
                    SizeUpdateAboveSetting = true;
                Table.SetMaxSize(size);
                continue;
            }
            else
            {
                // §6.2 literals: 01 = incremental indexing (6-bit index), 0000 = without, 0001 = never indexed (4-bit).
                bool index = (b & 0xC0) == 0x40;
                int prefix = index ? 6 : 4;
                if (!TryReadInteger(block, ref pos, prefix, out int nameIndex))
                    return "bad integer";
                string name;
                if (nameIndex == 0)
                {
                    if (!TryReadString(block, ref pos, out name))
                        return "bad string";
                }
                else
                {
                    if (!TryGetIndexed(nameIndex, out var named))
                        return "bad index";
                    name = named.Key;
                }
                if (!TryReadString(block, ref pos, out string value))
                    return "bad string";
                field = new(name, value);
                if (index)
                    Table.Insert(field);
            }
            fieldSeen = true;
            int size2 = HpackDynamicTable.EntrySize(field);
            if (listBytes + size2 > _maxListBytes || fields >= _maxFields)
            {
                ListTruncated = true;
                continue;
            }
            listBytes += size2;
            fields++;
            output.Add(field);
        }
        return null;
    }

    private bool TryGetIndexed(int index, out KeyValuePair<string, string> field)
    {
        if (index >= 1 && index <= HpackStaticTable.Count)
        {
            field = HpackStaticTable.Get(index);
            return true;
        }
        int dyn = index - HpackStaticTable.Count;
        if (dyn >= 1 && dyn <= Table.Count)
        {
            field = Table[dyn];
            return true;
        }
        field = default;
        return false;
    }

    /// <summary>§5.1 integer with an N-bit prefix. Values above int.MaxValue are errors.</summary>
    internal static bool TryReadInteger(ReadOnlySpan<byte> block, ref int pos, int prefixBits, out int value)
    {
        value = 0;
        if (pos >= block.Length)
            return false;
        int mask = (1 << prefixBits) - 1;
        long v = block[pos++] & mask;
        if (v < mask)
        {
            value = (int)v;
            return true;
        }
        int shift = 0;
        while (true)
        {
            if (pos >= block.Length || shift > 28)
                return false;
            byte b = block[pos++];
            v += (long)(b & 0x7f) << shift;
            if (v > int.MaxValue)
                return false;
            shift += 7;
            if ((b & 0x80) == 0)
                break;
        }
        value = (int)v;
        return true;
    }

    /// <summary>§5.2 string literal, Huffman-coded when the H bit is set.</summary>
    private bool TryReadString(ReadOnlySpan<byte> block, ref int pos, out string value)
    {
        value = "";
        if (pos >= block.Length)
            return false;
        bool huffman = (block[pos] & 0x80) != 0;
        if (!TryReadInteger(block, ref pos, 7, out int length) || length > block.Length - pos)
            return false;
        var raw = block.Slice(pos, length);
        pos += length;
        if (!huffman)
        {
            value = Encoding.Latin1.GetString(raw);
            return true;
        }
        int max = HpackHuffman.MaxDecodedLength(length);
        if (_scratch.Length < max)
            _scratch = new byte[Math.Max(max, _scratch.Length * 2)];
        int n = HpackHuffman.Decode(raw, _scratch);
        if (n < 0)
            return false;
        value = Encoding.Latin1.GetString(_scratch, 0, n);
        return true;
    }
}
