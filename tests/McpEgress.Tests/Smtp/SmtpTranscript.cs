using System.Text;
using McpEgress.Reassembly;

namespace McpEgress.Tests.Smtp;

/// <summary>Builds a wire-order list of (direction, bytes) steps.</summary>
internal sealed class SmtpTranscript
{
    public List<(FlowDirection Dir, byte[] Bytes)> Steps { get; } = [];

    public SmtpTranscript C(string text) => Add(FlowDirection.ClientToServer, Encoding.UTF8.GetBytes(text));
    public SmtpTranscript S(string text) => Add(FlowDirection.ServerToClient, Encoding.UTF8.GetBytes(text));
    public SmtpTranscript C(byte[] bytes) => Add(FlowDirection.ClientToServer, bytes);
    public SmtpTranscript S(byte[] bytes) => Add(FlowDirection.ServerToClient, bytes);

    private SmtpTranscript Add(FlowDirection dir, byte[] bytes)
    {
        Steps.Add((dir, bytes));
        return this;
    }

    public byte[] Stream(FlowDirection dir) => Steps.Where(s => s.Dir == dir).SelectMany(s => s.Bytes).ToArray();
    public byte[] ClientStream => Stream(FlowDirection.ClientToServer);
    public byte[] ServerStream => Stream(FlowDirection.ServerToClient);
}
