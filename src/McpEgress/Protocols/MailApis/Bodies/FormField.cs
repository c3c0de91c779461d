using System.Text;

namespace McpEgress.Protocols.MailApis.Bodies;

/// <summary>
/// One field of a form body: urlencoded (bytes already percent-decoded) or one multipart/form-data part.
/// <see cref="Data"/> keeps the bytes (a raw MIME message in Mailgun's <c>message</c> field need not be UTF-8).
/// </summary>
public sealed class FormField(string name, ReadOnlyMemory<byte> data, string? fileName = null, string? contentType = null)
{
    private string? _value;

    public string Name { get; } = name;
    public ReadOnlyMemory<byte> Data { get; } = data;
    /// <summary>multipart/form-data filename parameter; null for plain fields.</summary>
    public string? FileName { get; } = fileName;
    /// <summary>Content-Type of a multipart part; null when absent or urlencoded.</summary>
    public string? ContentType { get; } = contentType;

    /// <summary><see cref="Data"/> as UTF-8 (invalid sequences become U+FFFD).</summary>
    public string Value => _value ??= Encoding.UTF8.GetString(Data.Span);

    public override string ToString() => $"{Name}={Value}";
}
