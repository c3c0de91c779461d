using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using McpEgress.Native;
using McpEgress.Protocols.Tls;
using McpEgress.Tests.Fixtures;
using Xunit.Abstractions;

namespace McpEgress.Tests.KeyLogs;

/// <summary>
/// Runs src/deploy/mcp-egress-keylog.js under real Node clients (fetch/undici, https.request, http2.connect,
/// axios) against a local HTTPS server and checks every connection's secrets land in the key log, even though
/// the client calls process.exit() right after its last response (where --tls-keylog's async writes are lost).
/// </summary>
public sealed class TlsKeylogPreloadTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mcp-egress-preload-");

    public void Dispose() => _dir.Delete(recursive: true);

    private const string ServerJs = """
        const http2 = require('http2'); const fs = require('fs');
        const s = http2.createSecureServer({ key: fs.readFileSync(process.argv[2]), cert: fs.readFileSync(process.argv[3]), allowHTTP1: true },
          (req, res) => { req.resume(); req.on('end', () => { res.setHeader('content-type', 'application/json'); res.end('{"ok":true}'); }); });
        s.listen(0, '127.0.0.1', () => console.log('port ' + s.address().port));
        """;

    // One request per transport, each on its own connection; exits abruptly like a short-lived MCP server.
    private const string ClientJs = """
        const https = require('https'); const http2 = require('http2');
        const base = `https://localhost:${process.argv[2]}/`;
        let axios = null; if (process.env.AXIOS_PATH) axios = require(process.env.AXIOS_PATH);
        (async () => {
          const r = await fetch(base + 'fetch', { method: 'POST', body: '{}' }); await r.text(); console.log('fetch ' + r.status);
          await new Promise((ok, ko) => { const req = https.request(base + 'https', { method: 'POST', agent: new https.Agent({ keepAlive: false }) },
            res => { res.resume(); res.on('end', () => { console.log('https ' + res.statusCode); ok(); }); }); req.on('error', ko); req.end('{}'); });
          await new Promise((ok, ko) => { const c = http2.connect(base); c.on('error', ko);
            const req = c.request({ ':method': 'POST', ':path': '/http2' }); req.on('response', h => console.log('http2 ' + h[':status']));
            req.resume(); req.on('end', () => { c.close(); ok(); }); req.end('{}'); });
          if (axios) { const a = await axios.post(base + 'axios', {}, { httpsAgent: new https.Agent({ keepAlive: false }) }); console.log('axios ' + a.status); }
          process.exit(0);
        })().catch(e => { console.error(e); process.exit(1); });
        """;

    [SkippableFact]
    public void EveryClientTransport_WritesItsSecrets_FileIs0600()
    {
        var axios = FindAxios();
        Skip.If(axios is null, "axios is not installed in captures/api/node_modules (tests/run-all.sh runs npm ci there)");
        var preload = FindPreload();
        var (certPem, keyPem) = WriteSelfSignedCert();
        File.WriteAllText(Path.Combine(_dir.FullName, "server.js"), ServerJs);
        File.WriteAllText(Path.Combine(_dir.FullName, "client.js"), ClientJs);
        var keys = Path.Combine(_dir.FullName, "client.keys");

        using var server = NodeProcess.Start(_dir.FullName, ["server.js", keyPem, certPem]);
        var port = server.ReadLine().Split(' ')[1];

        var env = new Dictionary<string, string>
        {
            ["MCP_EGRESS_KEYLOG"] = keys,
            ["NODE_EXTRA_CA_CERTS"] = certPem,
            ["AXIOS_PATH"] = axios!,
        };
        using var client = NodeProcess.Start(_dir.FullName, ["--require", preload, "client.js", port], env);
        var said = new List<string>();
        string? line;
        while ((line = client.Process.StandardOutput.ReadLine()) is not null) said.Add(line);
        Assert.True(client.Process.WaitForExit(60_000));
        Assert.True(client.Process.ExitCode == 0, string.Join("\n", said) + client.Process.StandardError.ReadToEnd());
        string[] expected = ["fetch 200", "https 200", "http2 200", "axios 200"];
        Assert.Equal(expected, said);

        var lines = File.ReadAllLines(keys);
        var randoms = lines.Where(l => l.StartsWith("CLIENT_TRAFFIC_SECRET_0 ") || l.StartsWith("CLIENT_RANDOM "))
            .Select(l => l.Split(' ')[1]).Distinct().ToList();
        Assert.Equal(expected.Length, randoms.Count); // one connection per transport, none missed
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keys));

        var log = new TlsKeyLog();
        log.LoadFile(keys);
        Assert.Equal(expected.Length, log.Count);
        Assert.Equal(0, log.MalformedLines);
        output.WriteLine($"{lines.Length} key log lines, {randoms.Count} connections: {string.Join(", ", said)}");
    }

    [Fact]
    public void ExistingWideFile_IsNarrowedTo0600_UnsetVariable_WritesNothing()
    {
        var preload = FindPreload();
        var keys = Path.Combine(_dir.FullName, "wide.keys");
        File.WriteAllText(keys, "");
        File.SetUnixFileMode(keys, (UnixFileMode)0x1A4); // 0644
        var (certPem, keyPem) = WriteSelfSignedCert();
        File.WriteAllText(Path.Combine(_dir.FullName, "server.js"), ServerJs);
        File.WriteAllText(Path.Combine(_dir.FullName, "one.mjs"), """
            import { connect } from 'node:tls'; // named ESM import: bound before the preload's sync would matter
            const s = connect({ host: 'localhost', port: +process.argv[2], servername: 'localhost' }, () => s.end());
            s.on('close', () => process.exit(0));
            """);
        using var server = NodeProcess.Start(_dir.FullName, ["server.js", keyPem, certPem]);
        var port = server.ReadLine().Split(' ')[1];

        RunToEnd(["--require", preload, "one.mjs", port], new() { ["MCP_EGRESS_KEYLOG"] = keys, ["NODE_EXTRA_CA_CERTS"] = certPem });
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keys));
        var log = new TlsKeyLog();
        log.LoadFile(keys);
        Assert.Equal(1, log.Count);

        RunToEnd(["--require", preload, "one.mjs", port], new() { ["NODE_EXTRA_CA_CERTS"] = certPem });
        log = new TlsKeyLog();
        log.LoadFile(keys);
        Assert.Equal(1, log.Count); // no MCP_EGRESS_KEYLOG: the preload does nothing
    }

    [SkippableFact]
    public void FilePlantedByAnotherUser_IsRefused_AppStillWorks()
    {
        Skip.If(LibC.EffectiveUid != 0, "chown to another user needs root");
        var preload = FindPreload();
        var keys = Path.Combine(_dir.FullName, "planted.keys");
        File.WriteAllText(keys, "");
        File.SetUnixFileMode(keys, (UnixFileMode)0x1B6); // 0666, owned by nobody: a trap for our secrets
        using (var chown = Process.Start("chown", ["65534", keys])!) chown.WaitForExit();
        var (certPem, keyPem) = WriteSelfSignedCert();
        File.WriteAllText(Path.Combine(_dir.FullName, "server.js"), ServerJs);
        File.WriteAllText(Path.Combine(_dir.FullName, "one.js"), """
            const s = require('tls').connect({ host: 'localhost', port: +process.argv[2], servername: 'localhost' }, () => s.end());
            s.on('close', () => process.exit(0));
            """);
        using var server = NodeProcess.Start(_dir.FullName, ["server.js", keyPem, certPem]);
        var port = server.ReadLine().Split(' ')[1];
        using var p = NodeProcess.Start(_dir.FullName, ["--require", preload, "one.js", port],
            new Dictionary<string, string> { ["MCP_EGRESS_KEYLOG"] = keys, ["NODE_EXTRA_CA_CERTS"] = certPem });
        var err = p.Process.StandardError.ReadToEnd();
        Assert.True(p.Process.WaitForExit(60_000));
        Assert.Equal(0, p.Process.ExitCode);
        Assert.Contains("owned by uid 65534", err);
        Assert.Equal(0, new FileInfo(keys).Length);
    }

    private void RunToEnd(string[] args, Dictionary<string, string> env)
    {
        using var p = NodeProcess.Start(_dir.FullName, args, env);
        Assert.True(p.Process.WaitForExit(60_000));
        Assert.True(p.Process.ExitCode == 0, p.Process.StandardError.ReadToEnd());
    }

    private (string CertPem, string KeyPem) WriteSelfSignedCert()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true)); // self-signed: its own CA
        using var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certPem = Path.Combine(_dir.FullName, "cert.pem");
        var keyPem = Path.Combine(_dir.FullName, "key.pem");
        File.WriteAllText(certPem, cert.ExportCertificatePem());
        File.WriteAllText(keyPem, key.ExportPkcs8PrivateKeyPem());
        return (certPem, keyPem);
    }

    private static string FindPreload()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var p = Path.Combine(d.FullName, "src", "deploy", "mcp-egress-keylog.js");
            if (File.Exists(p)) return p;
        }
        throw new FileNotFoundException("src/deploy/mcp-egress-keylog.js not found above " + AppContext.BaseDirectory);
    }

    /// <summary>
    /// axios as pinned by captures/api's package-lock.json (the SendGrid, Mailjet and Mandrill clients use it), which
    /// tests/run-all.sh installs with <c>npm ci</c>; the test is reported skipped, not passed, when it is missing.
    /// </summary>
    private static string? FindAxios()
    {
        var axios = Path.Combine(McpEgress.Tests.Golden.RepoPaths.Captures, "api", "node_modules", "axios");
        return File.Exists(Path.Combine(axios, "package.json")) ? axios : null;
    }
}
