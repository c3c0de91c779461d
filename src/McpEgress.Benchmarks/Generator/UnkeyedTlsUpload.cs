using System.Buffers.Binary;
using System.Text;

namespace McpEgress.Benchmarks.Generator;

/// <summary>
/// A TLS 1.3 upload nobody has the keys of: the real ClientHello of a recorded keyed flow with a fresh random
/// client_random (so no key log lists it) and a non-mail SNI, the real server flight (ServerHello, CCS, encrypted
/// handshake), the client's real CCS + encrypted Finished, then 16 KB application_data records of random bytes
/// (RFC 8446 §5.2: 2^14 plaintext + content type + 16-byte AEAD tag = 16401 bytes) and a short encrypted answer.
/// </summary>
internal sealed class UnkeyedTlsUpload
{
    public const int RecordBody = 16384 + 1 + 16;
    private readonly byte[] _clientHello;
    private readonly byte[] _serverFlight;
    private readonly byte[] _clientFinished;
    private readonly byte[] _noise;

    public UnkeyedTlsUpload(List<FlowPacket> keyedFlow, string serverName, Random rng)
    {
        var client = keyedFlow.Where(p => p.FromClient && p.Payload.Length > 0).ToList();
        _clientHello = client[0].Payload;
        if (_clientHello[0] != 22 || _clientHello[5] != 1) throw new InvalidDataException("first client bytes are not a ClientHello record");
        _clientHello = WithServerName(_clientHello, serverName);
        int firstClient = keyedFlow.IndexOf(client[0]), secondClient = keyedFlow.IndexOf(client[1]);
        _serverFlight = keyedFlow.Skip(firstClient).Take(secondClient - firstClient)
            .Where(p => !p.FromClient).SelectMany(p => p.Payload).ToArray();
        // CCS (type 20) and the first application_data record (the encrypted Finished); the HTTP request after it is dropped.
        var second = client[1].Payload;
        int end = 0;
        for (int records = 0; records < 2; records++)
            end += 5 + BinaryPrimitives.ReadUInt16BigEndian(second.AsSpan(end + 3));
        _clientFinished = second[..end];
        _noise = new byte[1 << 20];
        rng.NextBytes(_noise);
    }

    /// <summary>The conversation of one upload of <paramref name="records"/> full records.</summary>
    public IEnumerable<(bool FromClient, byte[] Bytes)> Turns(int records, Random rng)
    {
        var hello = (byte[])_clientHello.Clone();
        rng.NextBytes(hello.AsSpan(11, 32)); // client_random: record header 5 + handshake header 4 + legacy_version 2
        yield return (true, hello);
        yield return (false, _serverFlight);
        yield return (true, _clientFinished);
        var upload = new byte[records * (5 + RecordBody)];
        for (int r = 0; r < records; r++)
        {
            var rec = upload.AsSpan(r * (5 + RecordBody), 5 + RecordBody);
            rec[0] = 23; rec[1] = 3; rec[2] = 3;
            BinaryPrimitives.WriteUInt16BigEndian(rec[3..], RecordBody);
            _noise.AsSpan(rng.Next(_noise.Length - RecordBody), RecordBody).CopyTo(rec[5..]);
        }
        yield return (true, upload);
        var answer = new byte[5 + 230];
        answer[0] = 23; answer[1] = 3; answer[2] = 3;
        BinaryPrimitives.WriteUInt16BigEndian(answer.AsSpan(3), 230);
        _noise.AsSpan(rng.Next(_noise.Length - 230), 230).CopyTo(answer.AsSpan(5));
        yield return (false, answer);
    }

    /// <summary>Rebuilds a one-record ClientHello with its server_name extension (RFC 6066 §3) naming <paramref name="name"/>.</summary>
    private static byte[] WithServerName(byte[] record, string name)
    {
        var r = record.AsSpan();
        int pos = 5 + 4 + 2 + 32;
        pos += 1 + r[pos];                                              // legacy_session_id
        pos += 2 + BinaryPrimitives.ReadUInt16BigEndian(r[pos..]);      // cipher_suites
        pos += 1 + r[pos];                                              // legacy_compression_methods
        int extStart = pos + 2, extEnd = extStart + BinaryPrimitives.ReadUInt16BigEndian(r[pos..]);
        var sni = Encoding.ASCII.GetBytes(name);
        var exts = new MemoryStream();
        for (int e = extStart; e < extEnd;)
        {
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(r[e..]);
            int len = BinaryPrimitives.ReadUInt16BigEndian(r[(e + 2)..]);
            if (type == 0)
            {
                var ext = new byte[4 + 2 + 3 + sni.Length];
                BinaryPrimitives.WriteUInt16BigEndian(ext.AsSpan(2), (ushort)(2 + 3 + sni.Length));
                BinaryPrimitives.WriteUInt16BigEndian(ext.AsSpan(4), (ushort)(3 + sni.Length));
                BinaryPrimitives.WriteUInt16BigEndian(ext.AsSpan(7), (ushort)sni.Length);
                sni.CopyTo(ext, 9);
                exts.Write(ext);
            }
            else exts.Write(r.Slice(e, 4 + len));
            e += 4 + len;
        }
        var body = new MemoryStream();
        body.Write(r[9..(extStart - 2)]);
        Span<byte> u16 = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(u16, (ushort)exts.Length);
        body.Write(u16);
        exts.WriteTo(body);
        var hs = body.ToArray();
        var result = new byte[5 + 4 + hs.Length];
        result[0] = 22; result[1] = r[1]; result[2] = r[2];
        BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(3), (ushort)(4 + hs.Length));
        result[5] = 1;
        result[6] = (byte)(hs.Length >> 16); result[7] = (byte)(hs.Length >> 8); result[8] = (byte)hs.Length;
        hs.CopyTo(result, 9);
        return result;
    }
}
