using McpEgress.Tests.Grafana;

namespace McpEgress.Tests.Golden;

/// <summary>
/// The expected files are the sender's word; these checkers are the independent proof that each capture really holds
/// what its expected file says (tshark decrypts and dissects; a Python walker compares). They run in CI with the rest.
/// </summary>
public sealed class CaptureCheckerTests
{
    [Theory]
    [InlineData("scripts/verify-captures.py")]       // captures/smtp: envelopes, headers, replies, secrets on the wire
    [InlineData("api/check-api-captures.py")]        // captures/api: TLS, ALPN, requests, addresses, secrets
    [InlineData("extra/check-extra-captures.py")]    // captures/extra: curl and Python smtplib with their key logs
    public void CapturesHoldWhatTheirExpectedFilesSay(string script)
    {
        var r = ExternalTool.Run("python3", "Debian: apt-get install python3 tshark", RepoPaths.Captures,
            TimeSpan.FromMinutes(5), Path.Combine(RepoPaths.Captures, script));
        Assert.True(r.ExitCode == 0, $"{script} exit {r.ExitCode}:\n{r.Output}");
        Assert.DoesNotContain("FAIL", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("ok ", r.Stdout, StringComparison.Ordinal);
    }
}
